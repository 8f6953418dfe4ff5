"""Two passengers' pages on one flight, in one browser: a seat held on one page greys out
on the other within a second, pushed (server-sent events), with no poll of the seat map in
between; released, it comes back as fast.

Usage: python seat_push.py <api base url> <screenshot dir>   (DATABASE_URL names the database)
"""
import os
import shutil
import sys

from playwright.sync_api import sync_playwright

import bcbp_check

NAME = "seat push"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
WITHIN_MS = 1000
# Records, in the page, when a seat's state last changed to each value (Date.now()).
WATCH_SEAT = """(seat) => {
  window.__seen = {};
  const b = document.querySelector(`#seat-map .seat[data-seat="${seat}"]`);
  new MutationObserver(() => { window.__seen[b.dataset.state] = Date.now(); })
    .observe(b, { attributes: true, attributeFilter: ['data-state'] });
}"""
WATCH_STATUS = """() => {
  window.__status = {};
  const s = document.querySelector('#status');
  new MutationObserver(() => { window.__status[s.dataset.state] = Date.now(); })
    .observe(s, { attributes: true, attributeFilter: ['data-state'] });
}"""


def login(page, base, pnr, last):
    page.goto(base)
    page.fill("#pnr", pnr)
    page.fill("#last-name", last)
    page.click("#login")
    page.wait_for_selector("#seat-map .seat")
    page.wait_for_function("() => document.querySelector('#seat-live')?.dataset.mode === 'push'", timeout=15000)


def run(browser, base, shots, errors, step):
    (flight_id,) = bcbp_check.sql("SELECT flight_id FROM bookings WHERE pnr = 'DEMO01'")[0]
    (pnr, last) = bcbp_check.sql(
        f"SELECT k.pnr, p.last_name FROM bookings k JOIN passengers p ON p.booking_id = k.id "
        f"WHERE k.flight_id = {flight_id} AND k.pnr <> 'DEMO01' ORDER BY k.id LIMIT 1")[0]
    (seat,) = bcbp_check.sql(
        f"SELECT seat_code FROM seats WHERE flight_id = {flight_id} AND state = 'available' "
        f"ORDER BY row_no DESC, letter LIMIT 1")[0]
    pages = []
    for _ in range(2):
        ctx = browser.new_context(viewport={"width": 1100, "height": 900})
        p = ctx.new_page()
        p.on("pageerror", lambda e: errors.append(str(e)))
        pages.append(p)
    a, b = pages
    step("logging in on page A (DEMO01) and page B (another booking of the flight)")
    login(a, base, "DEMO01", "Smith")
    login(b, base, pnr, last)
    b.wait_for_selector(f'#seat-map .seat[data-seat="{seat}"][data-state="available"]')
    b.evaluate(WATCH_SEAT, seat)
    a.evaluate(WATCH_STATUS)
    polls = []
    b.on("request", lambda r: polls.append(r.url) if f"/v1/flights/{flight_id}/seats" in r.url else None)

    step(f"holding {seat} on page A")
    clicked = a.evaluate("() => Date.now()")
    a.click(f'#seat-map .seat[data-seat="{seat}"]')
    a.wait_for_function("(s) => document.querySelector('#status')?.dataset.state === s", arg="held", timeout=20000)
    step(f"waiting for {seat} to grey out on page B")
    b.wait_for_function("() => window.__seen && window.__seen.held", timeout=5000)
    held_a = a.evaluate("() => window.__status.held")
    seen_b = b.evaluate("() => window.__seen.held")
    a.screenshot(path=os.path.join(shots, "seat-push-a.png"))
    b.screenshot(path=os.path.join(shots, "seat-push-b.png"))
    lag = seen_b - held_a
    print(f"{NAME}: {seat} held on page A; page B showed it held {seen_b - clicked} ms after the click, "
          f"{lag} ms after page A saw its hold; seat-map polls by page B meanwhile: {len(polls)}")
    if seen_b - clicked > WITHIN_MS and lag > WITHIN_MS:
        raise AssertionError(f"page B saw the hold {lag} ms after page A")
    if polls:
        raise AssertionError(f"page B polled the seat map instead of hearing the change: {polls}")

    step(f"releasing {seat} on page A")
    released = a.evaluate("() => Date.now()")
    a.click("#release")
    b.wait_for_function("() => window.__seen && window.__seen.available", timeout=5000)
    back = b.evaluate("() => window.__seen.available") - released
    print(f"{NAME}: {seat} released on page A; page B showed it available {back} ms after the click")
    if back > WITHIN_MS:
        raise AssertionError(f"page B saw the release after {back} ms")
    if errors:
        raise AssertionError(f"page errors: {'; '.join(errors)}")


def main():
    base, shots = sys.argv[1:3]
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    at = {"step": "starting chromium"}
    with sync_playwright() as p:
        browser = None
        try:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
            run(browser, base, shots, [], lambda step: at.update(step=step))
        except Exception as e:
            print(f"{NAME}: FAILED while {at['step']}: {str(e).strip() or type(e).__name__}", file=sys.stderr)
            if browser is not None:
                for i, c in enumerate(browser.contexts):
                    try:
                        c.pages[0].screenshot(path=os.path.join(shots, f"seat-push-failed-{i}.png"), full_page=True)
                    except Exception:
                        pass
            sys.exit(1)
        finally:
            if browser is not None:
                browser.close()


if __name__ == "__main__":
    main()
