// Opens an e-mailed action link in Debian's Chromium as the human would: sees the confirmation
// page (no script on it), submits it, and sees the result; then a reject link submitted with an
// over-long reason keeps what was typed. Env: APPROVE_URL, REJECT_URL, SCREENSHOTS, CHROMIUM.
// Prints one JSON line with what the pages said. Exits non-zero with the failed check's message.

import { env, launch, screenshots } from "./chromium.mjs";

const SHOTS = screenshots();
function check(cond, msg) {
  if (!cond) throw new Error(`check failed: ${msg}`);
}

const browser = await launch();
const out = {};
try {
  const page = await browser.newPage({ viewport: { width: 360, height: 800 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));

  // Approve: the confirmation page, then the result.
  const shown = await page.goto(env("APPROVE_URL"));
  check(shown.status() === 200, `approve page answered ${shown.status()}`);
  out.confirmHeading = await page.locator("h1").innerText();
  out.action = await page.locator("h2").innerText();
  out.scripts = await page.locator("script").count();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 360, `the page overflows 360 px (${wide})`);
  await page.screenshot({ path: `${SHOTS}/link-confirm-360.png`, fullPage: true });
  await page.fill("#reason", "looks fine");
  const [answer] = await Promise.all([
    page.waitForNavigation(),
    page.click("button[type=submit]"),
  ]);
  out.resultStatus = answer.status();
  out.resultHeading = await page.locator("h1").innerText();
  await page.screenshot({ path: `${SHOTS}/link-result-360.png`, fullPage: true });

  // Reject with a reason over the limit: the page says so and keeps the text.
  const long = "x".repeat(2001);
  await page.goto(env("REJECT_URL"));
  // The textarea's maxlength would stop a person typing more; a pasted or scripted value is
  // still checked by the server.
  await page.evaluate((v) => {
    const t = document.querySelector("#reason");
    t.removeAttribute("maxlength");
    t.value = v;
  }, long);
  const [refused] = await Promise.all([
    page.waitForNavigation(),
    page.click("button[type=submit]"),
  ]);
  out.refusedStatus = refused.status();
  out.refusedError = await page.locator("[role=alert]").innerText();
  out.kept = (await page.inputValue("#reason")) === long;
  await page.screenshot({ path: `${SHOTS}/link-reject-error-360.png`, fullPage: true });
  out.errors = errors;
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
