// The Notifications page's Slack section, in Debian's Chromium against a real server: a human
// links a Slack member ID (the server keeps it: GET /v1/me/slack), sees a bad one refused with the
// server's message naming the field, and unlinks; the page has no errors and fits 360 px.
// Env: BASE_URL, TOKEN (a human), SCREENSHOTS (folder), CHROMIUM (default /usr/bin/chromium).
// Exits non-zero with the failed check's message.

import { env, launch, screenshots } from "./chromium.mjs";

const BASE = env("BASE_URL");
const TOKEN = env("TOKEN");
const SHOTS = screenshots();
let step = "start";
function check(cond, msg) {
  if (!cond) throw new Error(`check failed (${step}): ${msg}`);
}
async function me() {
  const r = await fetch(`${BASE}/v1/me/slack`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return (await r.json()).data;
}

const browser = await launch();
const problems = [];
let failed = null;
try {
  for (const width of [1280, 360]) {
    step = `open ${width}`;
    const ctx = await browser.newContext({ viewport: { width, height: 800 } });
    ctx.setDefaultTimeout(8000);
    const page = await ctx.newPage();
    page.on("pageerror", (e) => problems.push(`page error ${e.message}`));
    await page.goto(`${BASE}/#token=${TOKEN}`);
    await page.locator("#nav").waitFor();
    await page.goto(`${BASE}/#/notifications`);
    await page.getByRole("heading", { name: "Slack" }).waitFor();
    const input = page.getByLabel("Slack member ID");

    step = `bad id ${width}`;
    await input.fill("not-an-id");
    await page.getByRole("button", { name: "Link", exact: true }).click();
    await page.locator("#slack-link [role=alert]").filter({ hasText: "slack_user_id" }).waitFor();
    check((await me()).slack_user_id === null, "a refused id is not stored");

    step = `link ${width}`;
    await input.fill("U0DASHBOARD1");
    await page.getByRole("button", { name: "Link", exact: true }).click();
    await page.locator("#slack-status").filter({ hasText: "Linked to Slack member U0DASHBOARD1." }).waitFor();
    check((await me()).slack_user_id === "U0DASHBOARD1", "the server keeps the link");
    const m = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
    check(m.sw <= m.cw, `no horizontal scroll at ${m.cw}px (scrollWidth ${m.sw})`);
    await page.screenshot({ path: `${SHOTS}/slack-link-${width}.png`, fullPage: true });

    step = `reload ${width}`;
    await page.reload();
    await page.getByRole("heading", { name: "Slack" }).waitFor();
    check((await input.inputValue()) === "U0DASHBOARD1", "the page shows the stored link");

    step = `unlink ${width}`;
    await page.getByRole("button", { name: "Unlink" }).click();
    await page.locator("#slack-status").filter({ hasText: "Not linked" }).waitFor();
    check((await me()).slack_user_id === null, "the server dropped the link");
    await ctx.close();
  }
  check(problems.length === 0, problems.join("; "));
  console.log("slack link section: ok");
} catch (e) {
  failed = e;
} finally {
  await browser.close();
}
if (failed) {
  console.error(failed.message);
  process.exit(1);
}
