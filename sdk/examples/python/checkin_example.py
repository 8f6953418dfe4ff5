"""Checks one passenger in through the generated Python SDK (sdk/python), as a client would:
log in, read the seat map, ask for a free seat, wait (long poll) for the hold, pay with a
test card, wait for the payment, and print the boarding pass.

CHECKIN_API_URL (default http://127.0.0.1:8080), CHECKIN_PNR (default DEMO01) and
CHECKIN_LAST_NAME (default Smith) say where and who. Run with sdk/python on PYTHONPATH (or
the package installed: pip install ./sdk/python).
"""

import os
import sys
import time

from checkin_client import AuthenticatedClient, Client
from checkin_client.api.bookings import get_seat_map
from checkin_client.api.checkins import create_checkin, get_boarding_pass, get_checkin, pay_checkin
from checkin_client.api.sessions import create_session
from checkin_client.models import (
    CheckinState,
    CreateCheckinRequest,
    CreateSessionRequest,
    EndReason,
    ErrorBody,
    PayCheckinRequest,
    SeatState,
    WaitState,
)


def ok(answer):
    """The SDK returns the error body for a documented error status: stop on it."""
    if answer is None or isinstance(answer, ErrorBody):
        sys.exit(f"error: {answer.code}: {answer.detail}" if answer else "error: unexpected answer")
    return answer


def key(what):
    """A fresh Idempotency-Key per request this program means (a retry would reuse it)."""
    return f"example-python-{what}-{time.time_ns()}"


def main():
    base = os.environ.get("CHECKIN_API_URL", "http://127.0.0.1:8080")
    login = CreateSessionRequest(
        pnr=os.environ.get("CHECKIN_PNR", "DEMO01"),
        last_name=os.environ.get("CHECKIN_LAST_NAME", "Smith"),
    )
    with Client(base_url=base) as anonymous:
        session = ok(create_session.sync(client=anonymous, body=login))
    booking = session.booking
    print(f"logged in: booking {booking.pnr} on flight {booking.flight_code}")

    with AuthenticatedClient(base_url=base, token=session.token, timeout=30.0) as client:
        passenger = next((p for p in booking.passengers if not p.checkin_id), None)
        if passenger is None:
            sys.exit("every passenger on this booking has checked in already")

        seat_map = ok(get_seat_map.sync(client=client, flight_id=booking.flight_id))
        free = [s for s in seat_map.seats if s.state == SeatState.AVAILABLE]
        print(f"seat map: {len(free)} of {len(seat_map.seats)} seats free")

        # Another passenger may take a free seat first: then try the next one.
        for seat in free[:5]:
            accepted = ok(
                create_checkin.sync(
                    client=client,
                    idempotency_key=key("checkin"),
                    body=CreateCheckinRequest(passenger_id=passenger.id, flight_id=booking.flight_id, seat=seat.seat),
                )
            )
            print(f"check-in {accepted.checkin_id} for seat {seat.seat}: {accepted.state.value}")
            checkin = ok(
                get_checkin.sync(
                    client=client, checkin_id=accepted.checkin_id, wait_while=WaitState.QUEUED, wait_secs=20
                )
            )
            reason = checkin.reason.value if isinstance(checkin.reason, EndReason) else ""
            print(f"after waiting: {checkin.state.value} {reason}")
            if checkin.state != CheckinState.HELD:
                continue

            payment = ok(
                pay_checkin.sync(
                    client=client,
                    checkin_id=checkin.id,
                    idempotency_key=key("pay"),
                    body=PayCheckinRequest(payment_method="tok_visa"),
                )
            )
            print(f"paying {payment.amount_cents} {payment.currency}: {payment.state.value}")
            paid = ok(
                get_checkin.sync(client=client, checkin_id=checkin.id, wait_while=WaitState.PAYING, wait_secs=20)
            )
            if paid.state != CheckinState.CONFIRMED:
                sys.exit(f"payment ended {paid.state.value} {paid.reason!r}")

            bp = ok(get_boarding_pass.sync(client=client, checkin_id=checkin.id))
            print(
                f"boarding pass: {bp.passenger_name} {bp.flight_code} {bp.origin}->{bp.destination} "
                f"seat {bp.seat} departs {bp.departure_at.isoformat()}"
            )
            print(f"barcode: {bp.barcode}")
            return
    sys.exit("no seat could be held")


if __name__ == "__main__":
    main()
