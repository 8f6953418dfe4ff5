"""The ops dashboard in a real browser, behind its basic auth: it loads, polls
/api/overview, and shows the queues, locks, payments and workers of a running system.

Usage: python overview.py <dashboard url> <user> <password> <screenshot dir>
Chromium is $CHROMIUM, else `chromium` on PATH (Debian's); playwright never downloads one.
"""
import os
import re
import shutil
import sys

from playwright.sync_api import sync_playwright

NAME = "dashboard"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def run(page, url, shots, errors, step):
    step("opening the page")
    page.goto(url)
    step("waiting for the first update (#updated)")
    page.wait_for_function(
        "() => (document.querySelector('#updated')?.textContent || '').trim().length > 0", timeout=15000)
    step("waiting for workers to be listed")
    page.wait_for_function("() => document.querySelectorAll('#workers tbody tr').length > 0", timeout=15000)
    step("reading the queue depth")
    depth = page.eval_on_selector("#queue-depth", "(e) => e.textContent.trim()")
    if not re.fullmatch(r"\d+", depth):
        raise AssertionError(f"queue depth not a number: {depth!r}")
    if not page.eval_on_selector("#error", "(e) => e.hidden"):
        raise AssertionError("error banner shown")
    page.screenshot(path=os.path.join(shots, "dashboard.png"))
    if errors:
        raise AssertionError(f"page errors: {'; '.join(errors)}")
    print(f"{NAME}: live, queue depth {depth}, workers listed")


def main():
    url, username, password, shots = sys.argv[1:5]
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    failed_shot = os.path.join(shots, "dashboard-failed.png")
    if os.path.exists(failed_shot):
        os.remove(failed_shot)  # from an earlier failed run
    at = {"step": "starting chromium"}
    with sync_playwright() as p:
        browser = None
        try:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
            context = browser.new_context(viewport={"width": 1300, "height": 1000},
                                          http_credentials={"username": username, "password": password})
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            run(page, url, shots, errors, lambda step: at.update(step=step))
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
