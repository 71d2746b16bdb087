// Signs in to the dashboard as a person would with the company's identity provider: the sign-in
// page offers "Sign in with <name>", the click goes through the provider (mock-oauth2-server signs
// in without a form) and back to the inbox, signed in by the session cookie (no token in the
// page). Then signs out: the cookie no longer works. Env: BASE, SSO_NAME, SCREENSHOTS, CHROMIUM.
// Prints one JSON line with what the pages showed; exits non-zero with the failed check.

import { env, launch, screenshots } from "./chromium.mjs";

const BASE = env("BASE");
const SHOTS = screenshots();
function check(cond, msg) {
  if (!cond) throw new Error(`check failed: ${msg}`);
}

const browser = await launch();
const out = {};
try {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));

  await page.goto(`${BASE}/`);
  const sso = page.getByRole("link", { name: `Sign in with ${env("SSO_NAME")}` });
  await sso.waitFor({ timeout: 15000 });
  await page.screenshot({ path: `${SHOTS}/sign-in-page.png`, fullPage: true });
  await Promise.all([page.waitForURL(`${BASE}/#/inbox`, { timeout: 20000 }), sso.click()]);
  await page.locator("#nav").waitFor({ state: "visible", timeout: 15000 });
  await page.waitForFunction(() => document.body.dataset.role, null, { timeout: 15000 });
  out.url = page.url();
  out.who = await page.locator("#who").innerText();
  out.role = await page.evaluate(() => document.body.dataset.role);
  out.tokenInPage = await page.evaluate(() => sessionStorage.getItem("waitroom.token"));
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === "waitroom_session");
  check(session, "no session cookie");
  out.httpOnly = session.httpOnly;
  out.sameSite = session.sameSite;
  await page.screenshot({ path: `${SHOTS}/signed-in-inbox.png`, fullPage: true });

  // A viewer (the org existed before this sign-in): the page hides what the role cannot do.
  if (process.env.CHECK_IN_ID) {
    await page.goto(`${BASE}/#/check-ins/${process.env.CHECK_IN_ID}`);
    await page.getByText(env("ACTION")).first().waitFor({ timeout: 15000 });
    await page.waitForTimeout(300);
    out.decideFormVisible = await page.locator("form.decide").first().isVisible().catch(() => false);
    await page.goto(`${BASE}/#/rooms/${env("ROOM_ID")}`);
    await page.getByRole("heading", { name: "Members" }).waitFor({ timeout: 15000 });
    await page.locator("ul.members li").first().waitFor({ timeout: 15000 });
    out.members = await page.locator("ul.members li").allInnerTexts();
    out.memberFormVisible = await page.locator("form.member-form").isVisible();
    out.signalVisible = await page.getByRole("region", { name: "Signal" }).isVisible().catch(() => false);
    await page.goto(`${BASE}/#/people`);
    await page.getByRole("heading", { name: "People" }).waitFor({ timeout: 15000 });
    await page.locator("ul.people li").first().waitFor({ timeout: 15000 });
    out.people = await page.locator("ul.people li").allInnerTexts();
    out.inviteVisible = await page.locator("form.invite").isVisible();
    await page.screenshot({ path: `${SHOTS}/people-as-viewer.png`, fullPage: true });
  }

  // Reloading keeps the session (the cookie answers /v1/me).
  await page.reload();
  await page.locator("#nav").waitFor({ state: "visible", timeout: 15000 });

  // Signing out ends it on the server: the old cookie is refused afterwards.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in to Waitroom" }).waitFor({ timeout: 15000 });
  await page.waitForTimeout(500);
  const res = await fetch(`${BASE}/v1/me`, { headers: { Cookie: `waitroom_session=${session.value}` } });
  out.afterSignOut = res.status;
  out.errors = errors;
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
