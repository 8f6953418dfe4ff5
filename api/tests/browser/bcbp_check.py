"""Reads the boarding pass barcode from a screenshot with an independent reader (zxing-cpp)
and checks every field of the decoded string at its IATA Resolution 792 position and
length against the passenger's real values, read from MariaDB.

The layout is written out here from the resolution, not taken from the Rust code.
"""
import datetime
import os
import re
import subprocess
from urllib.parse import urlparse

import zxingcpp
from PIL import Image

# Mandatory items of a one-leg pass ("M" format), in order: (name, length).
MANDATORY = [
    ("format_code", 1), ("number_of_legs", 1), ("passenger_name", 20),
    ("electronic_ticket_indicator", 1), ("pnr", 7), ("from", 3), ("to", 3),
    ("operating_carrier", 3), ("flight_number", 5), ("date_of_flight", 3),
    ("compartment_code", 1), ("seat_number", 4), ("checkin_sequence_number", 5),
    ("passenger_status", 1), ("conditional_size", 2),
]
# The conditional section, version 6: unique items then the leg's repeated items.
UNIQUE = [("passenger_description", 1), ("source_of_checkin", 1), ("source_of_issuance", 1),
          ("date_of_issue", 4), ("document_type", 1), ("issuer", 3)]
REPEATED = [("airline_numeric_code", 3), ("document_number", 10), ("selectee", 1),
            ("intl_doc_verification", 1), ("marketing_carrier", 3), ("ff_airline", 3),
            ("ff_number", 16), ("id_ad", 1), ("free_baggage", 3), ("fast_track", 1)]


def cut(s, layout, at=0):
    out = {}
    for name, n in layout:
        out[name] = s[at:at + n]
        at += n
    return out, at


def sql(query):
    url = urlparse(os.environ["DATABASE_URL"])
    args = ["mariadb", "-N", "-B", "-h", url.hostname or "127.0.0.1", "-P", str(url.port or 3306),
            "-u", url.username or "root", url.path.lstrip("/"), "-e", query]
    if url.password:
        args.insert(1, f"-p{url.password}")
    return [line.split("\t") for line in subprocess.run(args, capture_output=True, text=True, check=True).stdout.splitlines()]


def fold(s):
    """Upper-case A-Z only, accents folded (as airlines print names)."""
    table = str.maketrans("ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝ", "AAAAAACEEEEIIIINOOOOOOUUUUY")
    return re.sub(r"[^A-Z]", "", s.upper().translate(table))


def expected_fields(checkin_id):
    (row,) = sql(
        "SELECT p.first_name, p.last_name, k.pnr, f.origin, f.destination, f.code, DATE(f.departure_at),"
        " s.cabin, b.seat_code, b.checkin_seq, DATE(b.issued_at)"
        " FROM boarding_passes b JOIN passengers p ON p.id = b.passenger_id JOIN bookings k ON k.id = p.booking_id"
        " JOIN flights f ON f.id = b.flight_id JOIN seats s ON s.flight_id = b.flight_id AND s.seat_code = b.seat_code"
        f" WHERE b.checkin_id = '{checkin_id}'")
    first, last, pnr, origin, dest, code, dep, cabin, seat, seq, issued = row
    dep = datetime.date.fromisoformat(dep)
    issued = datetime.date.fromisoformat(issued)
    m = re.fullmatch(r"([A-Z0-9]{2}[A-Z]?)(\d{1,4})([A-Z]?)", code) if re.fullmatch(r"[A-Z]{3}\d.*", code) \
        else re.fullmatch(r"([A-Z0-9]{2})(\d{1,4})([A-Z]?)", code)
    carrier, number, suffix = m.group(1), m.group(2), m.group(3) or " "
    row_no, letter = seat[:-1], seat[-1]
    seq = int(seq)
    return {
        "format_code": "M", "number_of_legs": "1",
        "passenger_name": f"{fold(last)}/{fold(first)}"[:20].ljust(20),
        "electronic_ticket_indicator": "E", "pnr": pnr.ljust(7), "from": origin, "to": dest,
        "operating_carrier": carrier.ljust(3), "flight_number": number.zfill(4) + suffix,
        "date_of_flight": f"{dep.timetuple().tm_yday:03d}",
        "compartment_code": {"premium": "J", "business": "J", "first": "F"}.get(cabin, "Y"),
        "seat_number": row_no.zfill(3) + letter,
        "checkin_sequence_number": f"{seq:04d} " if seq < 10000 else f"{seq:05d}",
        "passenger_status": "1",
        "date_of_issue": f"{issued.year % 10}{issued.timetuple().tm_yday:03d}",
        "issuer": carrier.ljust(3), "marketing_carrier": carrier.ljust(3),
    }


def decode_and_check(png, checkin_id):
    """Returns (decoded text, format, fields) or raises AssertionError naming the field."""
    results = zxingcpp.read_barcodes(Image.open(png))
    if not results:
        raise AssertionError(f"zxing-cpp found no barcode in {png}")
    r = results[0]
    text, fmt = r.text, str(r.format)
    want = expected_fields(checkin_id)
    mand, at = cut(text, MANDATORY)
    size = int(mand["conditional_size"], 16)
    if len(text) != 60 + size:
        raise AssertionError(f"length {len(text)}, but the mandatory section says 60 + {size}: {text!r}")
    pos = 0
    for name, n in MANDATORY[:-1]:
        if mand[name] != want[name]:
            raise AssertionError(f"{name} (position {pos + 1}, length {n}): {mand[name]!r}, expected {want[name]!r} in {text!r}")
        pos += n
    if text[at] != ">" or text[at + 1] not in "1234567":
        raise AssertionError(f"no conditional section version at {at}: {text[at:at + 2]!r}")
    usize = int(text[at + 2:at + 4], 16)
    uniq, _ = cut(text[at + 4:at + 4 + usize], UNIQUE)
    rat = at + 4 + usize
    rsize = int(text[rat:rat + 2], 16)
    rep, _ = cut(text[rat + 2:rat + 2 + rsize], REPEATED)
    if rat + 2 + rsize != len(text):
        raise AssertionError(f"the conditional section's sizes do not add up: {text!r}")
    for name in ("date_of_issue", "issuer"):
        if uniq[name] != want[name]:
            raise AssertionError(f"{name}: {uniq[name]!r}, expected {want[name]!r}")
    if uniq["document_type"] != "B":
        raise AssertionError(f"document type {uniq['document_type']!r}, expected 'B' (boarding pass)")
    if rep["marketing_carrier"] != want["marketing_carrier"]:
        raise AssertionError(f"marketing carrier {rep['marketing_carrier']!r}")
    return text, fmt, {**mand, **uniq, **rep}
