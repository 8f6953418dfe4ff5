"""The operator's screens in a real browser, against a running system: the overview, the
charts (showing a burst of check-ins this test sends through the API), the job lists with a
dead job retried and another discarded, a passenger found by PNR with the whole timeline of a stuck check-in that
is re-driven, a refused refund marked handled, and the actions log recording all three. Each
action's effect is checked in the system (MariaDB) and on the page. Screenshots of every
screen go to the screenshot directory.

Usage: python ops.py <dashboard url> <user> <password> <api url> <screenshot dir>
DATABASE_URL and QUEUE_PREFIX name the system's database and Redis prefix.
"""
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid

from playwright.sync_api import sync_playwright

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "api", "tests", "browser"))
import bcbp_check  # noqa: E402  (its sql helper)

NAME = "dashboard operations"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
BURST = 12
sql = bcbp_check.sql


def redis(*args):
    subprocess.run(["redis-cli", *map(str, args)], check=True, capture_output=True)


def api(base, method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    req.add_header("Idempotency-Key", str(uuid.uuid4()))
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def new_ulid():
    # A ULID-shaped id: 26 Crockford base32 characters, time first.
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    n = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(alphabet[(n >> (5 * i)) & 31] for i in reversed(range(26)))


def free_passengers(flight_id, n, skip=()):
    rows = sql(
        f"SELECT p.id, k.pnr, p.last_name FROM passengers p JOIN bookings k ON k.id = p.booking_id "
        f"WHERE p.flight_id = {flight_id} AND k.pnr <> 'DEMO01' AND NOT EXISTS (SELECT 1 FROM checkins c "
        f"WHERE c.passenger_id = p.id AND c.state IN ('queued','held','paying','confirmed')) ORDER BY p.id DESC")
    return [r for r in rows if r[1] not in skip][:n]


def stuck_checkin(flight_id, passenger_id, seat, minutes_ago):
    cid = new_ulid()
    sql(f"INSERT INTO checkins (id, booking_id, flight_id, passenger_id, seat_id, state, enqueued_at, created_at, updated_at) "
        f"SELECT '{cid}', p.booking_id, {flight_id}, p.id, s.id, 'queued', NOW(6), NOW(6) - INTERVAL {minutes_ago} MINUTE, "
        f"NOW(6) - INTERVAL {minutes_ago} MINUTE FROM passengers p JOIN seats s ON s.flight_id = {flight_id} "
        f"AND s.seat_code = '{seat}' WHERE p.id = {passenger_id}")
    return cid


def state_of(cid):
    return sql(f"SELECT state FROM checkins WHERE id = '{cid}'")[0][0]


def wait_state(cid, want, within=20):
    deadline = time.time() + within
    while time.time() < deadline:
        if state_of(cid) == want:
            return
        time.sleep(0.2)
    raise AssertionError(f"check-in {cid} is {state_of(cid)}, not {want}, after {within} s")


def free_seats(flight_id, n):
    return [r[0] for r in sql(f"SELECT seat_code FROM seats WHERE flight_id = {flight_id} AND state = 'available' "
                              f"ORDER BY row_no, letter LIMIT {n}")]


def burst(api_base, flight_id, passengers):
    """Checks `passengers` in and pays for each, through the public API, as fast as it can."""
    seats = free_seats(flight_id, len(passengers) + 5)[5:]
    ids = []
    for (pid, pnr, last), seat in zip(passengers, seats):
        token = api(api_base, "POST", "/v1/sessions", {"pnr": pnr, "last_name": last})["token"]
        c = api(api_base, "POST", "/v1/checkins", {"passenger_id": int(pid), "flight_id": int(flight_id), "seat": seat}, token)
        ids.append((c["checkin_id"], token))
    for cid, token in ids:
        api(api_base, "GET", f"/v1/checkins/{cid}?wait_while=queued&wait_secs=10", token=token)
        api(api_base, "POST", f"/v1/checkins/{cid}/payment", {"payment_method": "tok_visa"}, token)
    for cid, token in ids:
        v = api(api_base, "GET", f"/v1/checkins/{cid}?wait_while=paying&wait_secs=20", token=token)
        if v["state"] != "confirmed":
            raise AssertionError(f"burst check-in {cid} ended {v['state']}")
    return [cid for cid, _ in ids]


def flash_ok(page, what):
    page.wait_for_function("() => !document.querySelector('#flash').hidden", timeout=10000)
    ok = page.eval_on_selector("#flash", "(e) => e.dataset.ok")
    text = page.eval_on_selector("#flash", "(e) => e.textContent")
    if ok != "true":
        raise AssertionError(f"{what}: {text}")
    return text


def run(page, url, api_base, shots, errors, step):
    shot = lambda name: page.screenshot(path=os.path.join(shots, name), full_page=True)  # noqa: E731
    (flight_id,) = sql("SELECT flight_id FROM bookings WHERE pnr = 'DEMO01'")[0]
    step("making a stuck check-in, a dead job and a refused refund")
    pax = free_passengers(flight_id, 2 + BURST)
    seats = free_seats(flight_id, 2)
    stuck = stuck_checkin(flight_id, pax[0][0], seats[0], 10)
    (stuck_pnr,) = sql(f"SELECT k.pnr FROM checkins c JOIN bookings k ON k.id = c.booking_id WHERE c.id = '{stuck}'")[0]
    dead = stuck_checkin(flight_id, pax[1][0], seats[1], 0)
    q = os.environ["QUEUE_PREFIX"] + ":hold"
    redis("HSET", f"{q}:data", dead, json.dumps({"checkin_id": dead}))
    redis("HSET", f"{q}:meta:{dead}", "status", "Killed", "attempts", 3, "max_attempts", 25, "idempotency_key", "",
          "result", json.dumps({"Err": "worker panicked: injected by the browser test"}), "done_at", int(time.time()))
    redis("SADD", f"{q}:dead", dead)
    (refused,) = sql("SELECT c.id FROM checkins c JOIN bookings k ON k.id = c.booking_id "
                     "WHERE k.pnr = 'DEMO01' AND c.state = 'confirmed' LIMIT 1")[0]
    sql(f"UPDATE payments SET state = 'refund_refused', provider_charge_id = COALESCE(provider_charge_id, 'ch_test'), "
        f"updated_at = NOW(6) WHERE checkin_id = '{refused}'")

    step("opening the overview")
    resp = page.goto(url)
    csp = resp.headers.get("content-security-policy", "")
    for h in ("frame-ancestors 'none'", "script-src 'self'"):
        if h not in csp:
            raise AssertionError(f"no {h} in the CSP: {csp!r}")
    for h, v in (("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer")):
        if resp.headers.get(h) != v:
            raise AssertionError(f"{h}: {resp.headers.get(h)!r}")
    page.wait_for_function("() => (document.querySelector('#attention-total')?.textContent || '') === '2'", timeout=20000)
    page.wait_for_function("() => document.querySelectorAll('#workers tbody tr[data-stale=false]').length > 0", timeout=20000)
    shot("dashboard-overview.png")

    step(f"sending a burst of {BURST} check-ins through the API")
    t0 = time.time()
    burst(api_base, flight_id, pax[2:2 + BURST])
    print(f"{NAME}: burst of {BURST} check-ins confirmed through the API in {time.time() - t0:.1f} s")
    step("waiting for the charts to show the burst")
    page.goto(url + "#charts")
    deadline = time.time() + 30
    total = 0
    while time.time() < deadline:
        total = int(page.eval_on_selector("#chart-throughput", "(e) => e.dataset.total0 || '0'"))
        if total >= BURST:
            break
        page.click("#range-1h")
        time.sleep(1)
    if total < BURST:
        raise AssertionError(f"the throughput chart holds {total} confirmed check-ins, fewer than the {BURST} sent")
    peak = float(page.eval_on_selector("#chart-throughput", "(e) => e.dataset.max0"))
    print(f"{NAME}: throughput chart shows {total} confirmed in the last hour, peak {peak:.0f}/min")
    time.sleep(1)
    shot("dashboard-charts.png")

    step("finding the stuck passenger by PNR")
    page.goto(url + "#checkins")
    page.fill("#search-q", stuck_pnr)
    page.click("#search-go")
    page.wait_for_selector(f'#search-checkins tr[data-checkin="{stuck}"]')
    page.click(f'#search-checkins tr[data-checkin="{stuck}"] a')
    page.wait_for_function("(id) => document.querySelector('#timeline-panel')?.dataset.checkin === id && "
                           "!document.querySelector('#tl-redrive').hidden", arg=stuck, timeout=10000)
    shot("dashboard-timeline-stuck.png")
    step("re-driving the stuck check-in")
    page.fill("#tl-note", "job lost in Redis; re-driven by the browser test")
    page.click("#tl-redrive")
    print(f"{NAME}: {flash_ok(page, 're-drive')}")
    wait_state(stuck, "held")
    page.wait_for_function("() => document.querySelector('#timeline tr[data-kind=held]') && "
                           "document.querySelector('#timeline tr[data-kind=redrive_checkin]')", timeout=15000)
    shot("dashboard-timeline.png")
    kinds = page.eval_on_selector_all("#timeline tbody tr", "(rs) => rs.map((r) => r.dataset.kind)")
    print(f"{NAME}: {stuck} (PNR {stuck_pnr}) re-driven and held; timeline: {', '.join(kinds)}")

    step("retrying the dead job")
    page.goto(url + "#jobs")
    page.wait_for_selector(f'#jobs tr[data-job="{dead}"]')
    err = page.eval_on_selector(f'#jobs tr[data-job="{dead}"] td.err', "(e) => e.textContent")
    if "injected by the browser test" not in err:
        raise AssertionError(f"the dead job's last error is not shown: {err!r}")
    shot("dashboard-jobs-dead.png")
    page.fill("#job-note", "retried by the browser test")
    page.click(f'#jobs tr[data-job="{dead}"] button[data-retry]')
    print(f"{NAME}: {flash_ok(page, 'retry')}")
    wait_state(dead, "held")
    page.wait_for_function("(id) => !document.querySelector(`#jobs tr[data-job=\"${id}\"]`)", arg=dead, timeout=10000)
    print(f"{NAME}: dead job of {dead} retried; the check-in is held")

    step("discarding a dead job whose check-in does not exist")
    junk = new_ulid()
    redis("HSET", f"{q}:data", junk, json.dumps({"checkin_id": junk}))
    redis("HSET", f"{q}:meta:{junk}", "status", "Killed", "attempts", 1, "max_attempts", 25, "idempotency_key", "",
          "result", json.dumps({"Err": f"check-in {junk} does not exist"}), "done_at", int(time.time()))
    redis("SADD", f"{q}:dead", junk)
    page.click("#jobs-refresh")
    page.wait_for_selector(f'#jobs tr[data-job="{junk}"]')
    page.fill("#job-note", "a job for no check-in")
    page.click(f'#jobs tr[data-job="{junk}"] button[data-discard]')
    print(f"{NAME}: {flash_ok(page, 'discard')}")
    page.wait_for_function("(id) => !document.querySelector(`#jobs tr[data-job=\"${id}\"]`)", arg=junk, timeout=10000)
    left = subprocess.run(["redis-cli", "HEXISTS", f"{q}:data", junk], capture_output=True, text=True).stdout.strip()
    if left != "0":
        raise AssertionError("the discarded job's payload is still in Redis")

    step("a POST without the page's CSRF token is refused")
    status = page.evaluate("(id) => fetch(`/api/checkins/${id}/redrive`, {method: 'POST'}).then((r) => r.status)", stuck)
    if status != 403:
        raise AssertionError(f"a POST without the token got {status}")

    step("marking the refused refund handled")
    page.goto(url + "#attention")
    page.wait_for_selector(f'#refunds tr[data-checkin="{refused}"]')
    shot("dashboard-attention.png")
    page.fill(f'#refunds tr[data-checkin="{refused}"] input', "refunded by bank transfer, ticket 4711")
    page.click(f'#refunds tr[data-checkin="{refused}"] button')
    print(f"{NAME}: {flash_ok(page, 'resolve')}")
    page.wait_for_function("(id) => !document.querySelector(`#refunds tr[data-checkin=\"${id}\"]`)", arg=refused, timeout=10000)
    (resolved,) = sql(f"SELECT refund_resolved_at IS NOT NULL FROM payments WHERE checkin_id = '{refused}'")[0]
    if resolved != "1":
        raise AssertionError("the refund is not marked handled in MariaDB")

    step("reading the actions log")
    page.goto(url + "#actions")
    page.wait_for_function("() => document.querySelectorAll('#actions tbody tr[data-action]').length >= 4", timeout=10000)
    actions = page.eval_on_selector_all("#actions tbody tr[data-action]", "(rs) => rs.map((r) => [...r.cells].map((c) => c.textContent))")
    shot("dashboard-actions.png")
    done = [a[2] for a in actions[:4]]
    if done != ["resolve refund", "discard job", "retry job", "redrive checkin"] or any(a[1] != "ops" for a in actions[:4]):
        raise AssertionError(f"actions log: {actions[:4]}")
    rows = sql("SELECT operator, action, outcome FROM operator_actions ORDER BY id")
    print(f"{NAME}: operator_actions in MariaDB: {rows}")
    if errors:
        raise AssertionError(f"page errors: {'; '.join(errors)}")


def main():
    url, username, password, api_base, shots = sys.argv[1:6]
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    at = {"step": "starting chromium"}
    with sync_playwright() as p:
        browser = None
        try:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                          http_credentials={"username": username, "password": password})
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "403" not in m.text else None)
            run(page, url.rstrip("/") + "/", api_base, shots, errors, lambda step: at.update(step=step))
        except Exception as e:
            print(f"{NAME}: FAILED while {at['step']}: {str(e).strip() or type(e).__name__}", file=sys.stderr)
            if browser is not None and browser.contexts and browser.contexts[0].pages:
                try:
                    browser.contexts[0].pages[0].screenshot(path=os.path.join(shots, "dashboard-ops-failed.png"), full_page=True)
                except Exception:
                    pass
            sys.exit(1)
        finally:
            if browser is not None:
                browser.close()


if __name__ == "__main__":
    main()
