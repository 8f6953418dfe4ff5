// The passenger page in a real browser: log in, pick a seat on the live map, see the hold
// and its countdown, release it and pick it again, pay with a test card, get the boarding
// pass. Fails on any page error.
// Usage: node checkin-flow.mjs <api base url> <screenshot dir>
import { chromium } from "playwright-core";

const [base, shots] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
try {
  await page.goto(base);
  await page.fill("#pnr", "DEMO01");
  await page.fill("#last-name", "Smith");
  await page.click("#login");
  await page.waitForSelector('#seat-map .seat[data-seat="10C"][data-state="available"]');
  await page.click('#seat-map .seat[data-seat="10C"]');
  await page.waitForFunction(() => document.querySelector("#status")?.dataset.state === "held", null, { timeout: 20000 });
  const countdown = await page.$eval("#countdown", (e) => e.textContent.trim());
  if (!/\d+:\d\d/.test(countdown)) throw new Error(`no hold countdown: ${countdown}`);
  await page.screenshot({ path: `${shots}/held.png` });
  // Changed their mind: the seat goes back on the map, and can be picked again.
  await page.click("#release");
  await page.waitForFunction(() => document.querySelector("#status")?.dataset.state === "cancelled", null, { timeout: 20000 });
  await page.waitForSelector('#seat-map .seat[data-seat="10C"][data-state="available"]', { timeout: 20000 });
  await page.click('#seat-map .seat[data-seat="10C"]');
  await page.waitForFunction(() => document.querySelector("#status")?.dataset.state === "held", null, { timeout: 20000 });
  await page.click("#pay");
  await page.waitForFunction(() => (document.querySelector("#boarding-pass")?.textContent || "").includes("10C"), null, { timeout: 20000 });
  await page.screenshot({ path: `${shots}/boarding-pass.png`, fullPage: true });
  const state = await page.$eval("#status", (e) => e.dataset.state);
  if (state !== "confirmed") throw new Error(`ended ${state}`);
  if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
  console.log("passenger page: logged in, held 10C, released it, held it again, paid, boarding pass shown");
} finally {
  await browser.close();
}
