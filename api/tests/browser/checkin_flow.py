"""The passenger page in a real browser: log in, pick a seat on the live map, see the hold
and its countdown, release it and pick it again, pay with a test card, get the boarding
pass, and read its barcode back from a screenshot with zxing-cpp: every BCBP field must
sit at its IATA position with the passenger's real values (bcbp_check.py). Fails on any
page error.

Usage: python checkin_flow.py <api base url> <screenshot dir>
Chromium is $CHROMIUM, else `chromium` on PATH (Debian's); playwright never downloads one.
"""
import os
import re
import shutil
import sys

import bcbp_check

from playwright.sync_api import sync_playwright

NAME = "passenger page"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SEAT = "10C"
AVAILABLE = f'#seat-map .seat[data-seat="{SEAT}"][data-state="available"]'
STATE_IS = "(s) => document.querySelector('#status')?.dataset.state === s"


def run(page, base, shots, errors, step):
    step("opening the page")
    page.goto(base)
    step("logging in")
    page.fill("#pnr", "DEMO01")
    page.fill("#last-name", "Smith")
    page.click("#login")
    step(f"waiting for {SEAT} to show as available")
    page.wait_for_selector(AVAILABLE)
    step(f"picking {SEAT}")
    page.click(f'#seat-map .seat[data-seat="{SEAT}"]')
    step(f"waiting for {SEAT} to be held")
    page.wait_for_function(STATE_IS, arg="held", timeout=20000)
    countdown = page.eval_on_selector("#countdown", "(e) => e.textContent.trim()")
    if not re.search(r"\d+:\d\d", countdown):
        raise AssertionError(f"no hold countdown: {countdown!r}")
    page.screenshot(path=os.path.join(shots, "held.png"))
    # Changed their mind: the seat goes back on the map, and can be picked again.
    step("releasing the hold")
    page.click("#release")
    step("waiting for the check-in to be cancelled")
    page.wait_for_function(STATE_IS, arg="cancelled", timeout=20000)
    step(f"waiting for {SEAT} to be available again")
    page.wait_for_selector(AVAILABLE, timeout=20000)
    step(f"picking {SEAT} again")
    page.click(f'#seat-map .seat[data-seat="{SEAT}"]')
    step(f"waiting for {SEAT} to be held again")
    page.wait_for_function(STATE_IS, arg="held", timeout=20000)
    step("paying")
    page.click("#pay")
    step(f"waiting for a boarding pass for {SEAT}")
    page.wait_for_function(
        "(seat) => (document.querySelector('#boarding-pass')?.textContent || '').includes(seat)",
        arg=SEAT, timeout=20000)
    step("waiting for the barcode image")
    page.wait_for_function("() => document.querySelector('#bp-barcode')?.dataset.loaded === 'true'", timeout=20000)
    page.screenshot(path=os.path.join(shots, "boarding-pass.png"), full_page=True)
    step("reading the barcode from a screenshot with zxing-cpp")
    checkin_id = page.eval_on_selector("#boarding-pass", "(e) => e.dataset.checkinId")
    shot = os.path.join(shots, "boarding-pass-barcode.png")
    page.locator(".bp-code").screenshot(path=shot)
    text, fmt, fields = bcbp_check.decode_and_check(shot, checkin_id)
    print(f"{NAME}: barcode {fmt} decoded from {shot}: {text!r}")
    print(f"{NAME}: BCBP fields at their IATA positions: " + ", ".join(
        f"{k}={v!r}" for k, v in fields.items() if k in (
            "passenger_name", "pnr", "from", "to", "operating_carrier", "flight_number", "date_of_flight",
            "compartment_code", "seat_number", "checkin_sequence_number", "passenger_status", "conditional_size")))
    step("printing the pass")
    page.emulate_media(media="print")
    page.screenshot(path=os.path.join(shots, "boarding-pass-print.png"), full_page=True)
    page.emulate_media(media="screen")
    state = page.eval_on_selector("#status", "(e) => e.dataset.state")
    if state != "confirmed":
        raise AssertionError(f"ended {state}")
    if errors:
        raise AssertionError(f"page errors: {'; '.join(errors)}")
    print(f"{NAME}: logged in, held {SEAT}, released it, held it again, paid, boarding pass shown and its barcode read back")


def main():
    base, shots = sys.argv[1:3]
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    failed_shot = os.path.join(shots, "checkin-flow-failed.png")
    if os.path.exists(failed_shot):
        os.remove(failed_shot)  # from an earlier failed run
    at = {"step": "starting chromium"}
    with sync_playwright() as p:
        browser = None
        try:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            run(page, base, shots, errors, lambda step: at.update(step=step))
        except Exception as e:
            print(f"{NAME}: FAILED while {at['step']}: {str(e).strip() or type(e).__name__}", file=sys.stderr)
            if browser is not None and browser.contexts and browser.contexts[0].pages:
                try:
                    browser.contexts[0].pages[0].screenshot(path=failed_shot, full_page=True)
                    print(f"{NAME}: page at the failure: {failed_shot}", file=sys.stderr)
                except Exception:
                    pass
            sys.exit(1)
        finally:
            if browser is not None:
                browser.close()


if __name__ == "__main__":
    main()
