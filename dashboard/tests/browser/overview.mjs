// The ops dashboard in a real browser, behind its basic auth: it loads, polls
// /api/overview, and shows the queues, locks, payments and workers of a running system.
// Usage: node overview.mjs <dashboard url> <user> <password> <screenshot dir>
import { chromium } from "playwright-core";

const [url, username, password, shots] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
const context = await browser.newContext({ viewport: { width: 1300, height: 1000 }, httpCredentials: { username, password } });
const page = await context.newPage();
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
try {
  await page.goto(url);
  await page.waitForFunction(() => (document.querySelector("#updated")?.textContent || "").trim().length > 0, null, { timeout: 15000 });
  await page.waitForFunction(() => document.querySelectorAll("#workers tbody tr").length > 0, null, { timeout: 15000 });
  const depth = await page.$eval("#queue-depth", (e) => e.textContent.trim());
  if (!/^\d+$/.test(depth)) throw new Error(`queue depth not a number: ${depth}`);
  if (!(await page.$eval("#error", (e) => e.hidden))) throw new Error("error banner shown");
  await page.screenshot({ path: `${shots}/dashboard.png` });
  if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
  console.log(`dashboard: live, queue depth ${depth}, workers listed`);
} finally {
  await browser.close();
}
