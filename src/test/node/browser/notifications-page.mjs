// The dashboard as an installable app, in Debian's Chromium against a real server: Chromium
// reads the manifest the page links (no parse errors, the declared fields and icons), and the
// Notifications page tells iPhone and iPad users (Safari outside the Home Screen has no
// PushManager) how to get notifications, keeps its switches elsewhere, and fits 360 px.
// Devices are emulated the way Playwright does (user agent, viewport, touch); Safari's missing
// PushManager (and its navigator.standalone) are emulated by an init script.
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
const t0 = Date.now();
const log = (m) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);

const HOME_SCREEN =
  "On iPhone and iPad, notifications need the app on your Home Screen: tap Share → Add to Home Screen, open Waitroom from there, then turn notifications on.";
const IPHONE_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
// iPadOS's Safari asks for desktop sites by default and says "Macintosh".
const IPAD_UA =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
/** Safari outside the Home Screen: no Push API (navigator.standalone false, as Safari says). */
function safari(standalone) {
  delete window.PushManager;
  Object.defineProperty(Navigator.prototype, "standalone", { get: () => standalone, configurable: true });
}

const problems = [];
function watch(page, name) {
  page.on("pageerror", (e) => problems.push(`${name}: page error ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`${name}: console error ${m.text()}`);
  });
  return page;
}
async function noHorizontalScroll(page, what) {
  const m = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  check(m.sw <= m.cw, `${what}: horizontal scroll at ${m.cw}px (scrollWidth ${m.sw})`);
}
/** Signs in and opens the Notifications page; answers the page's paragraphs. */
async function notificationsPage(page) {
  await page.goto(`${BASE}/#token=${TOKEN}`);
  await page.locator("#nav").waitFor();
  await page.goto(`${BASE}/#/notifications`);
  await page.getByRole("heading", { name: "Notifications" }).waitFor();
  return page.locator("main p").allTextContents();
}

const browser = await launch();
let failed = null;
try {
  // ------------------------------------------------------------ desktop: the manifest, the switches
  step = "manifest";
  const wide = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  wide.setDefaultTimeout(8000);
  const page = watch(await wide.newPage(), "desktop");
  let texts = await notificationsPage(page);
  const cdp = await wide.newCDPSession(page);
  const app = await cdp.send("Page.getAppManifest");
  check(app.url === `${BASE}/manifest.webmanifest`, `the page links the manifest: ${app.url}`);
  check(app.errors.length === 0, `Chromium parses it without errors: ${JSON.stringify(app.errors)}`);
  const m = app.manifest || {};
  check(m.name === "Waitroom" && m.display === "kStandalone", `parsed: ${JSON.stringify(m).slice(0, 600)}`);
  check(m.startUrl === `${BASE}/` && m.scope === `${BASE}/`, `start_url and scope: ${m.startUrl} ${m.scope}`);
  check(m.themeColor === "rgba(37,86,196,1)" && m.backgroundColor === "rgba(246,247,249,1)", `colours: ${m.themeColor} ${m.backgroundColor}`);
  const icons = (m.icons || []).map((i) => `${i.url} ${i.sizes} ${i.type}`);
  for (const icon of ["icon-192.png 192x192", "icon-512.png 512x512", "icon-maskable-512.png 512x512"]) {
    check(icons.includes(`${BASE}/${icon} image/png`), `icon ${icon} in ${JSON.stringify(icons)}`);
  }
  // Chromium would offer to install it: nothing in its way but this test's private window.
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  const blockers = installabilityErrors.map((e) => e.errorId).filter((id) => id !== "in-incognito");
  check(blockers.length === 0, `installability errors: ${JSON.stringify(installabilityErrors)}`);
  // Every icon the manifest names loads as an image of its declared size.
  const sizes = await page.evaluate(async (urls) => Promise.all(urls.map((u) => new Promise((ok, no) => {
    const img = new Image();
    img.onload = () => ok(`${img.naturalWidth}x${img.naturalHeight}`);
    img.onerror = () => no(new Error(`${u} does not load`));
    img.src = u;
  }))), ["/icon-192.png", "/icon-512.png", "/icon-maskable-512.png", "/apple-touch-icon.png"]);
  check(JSON.stringify(sizes) === JSON.stringify(["192x192", "512x512", "512x512", "180x180"]), `icon sizes ${sizes}`);
  log(`Chromium reads the manifest (${icons.length} icons) and loads every icon at its size`);

  step = "desktop with push";
  check(!texts.includes(HOME_SCREEN), "no iOS advice on a desktop browser with push");
  await page.getByRole("button", { name: "Turn on notifications" }).waitFor();
  await page.getByRole("button", { name: "Turn off notifications" }).waitFor();
  await page.getByLabel("Every room").waitFor();
  await page.screenshot({ path: `${SHOTS}/notifications-1280.png`, fullPage: true });
  log("desktop: the switches as before, no iOS advice");

  step = "360 px with push";
  const narrow = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  narrow.setDefaultTimeout(8000);
  const android = watch(await narrow.newPage(), "360 px");
  texts = await notificationsPage(android);
  check(!texts.includes(HOME_SCREEN), "no iOS advice on a phone that is no iPhone");
  await android.getByRole("button", { name: "Turn on notifications" }).waitFor();
  await noHorizontalScroll(android, "notifications at 360 px");
  await android.screenshot({ path: `${SHOTS}/notifications-360.png`, fullPage: true });

  // ------------------------------------------------------------ iPhone in Safari, 360 px
  step = "iPhone";
  const iphone = await browser.newContext({ viewport: { width: 360, height: 740 }, userAgent: IPHONE_UA, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  iphone.setDefaultTimeout(8000);
  await iphone.addInitScript(safari, false);
  const phone = watch(await iphone.newPage(), "iPhone");
  texts = await notificationsPage(phone);
  check(texts.includes(HOME_SCREEN), `the Home Screen advice: ${JSON.stringify(texts)}`);
  check((await phone.getByRole("button", { name: "Turn on notifications" }).count()) === 0, "no switch that cannot work");
  await noHorizontalScroll(phone, "notifications on an iPhone");
  await phone.screenshot({ path: `${SHOTS}/notifications-iphone-360.png`, fullPage: true });
  log("iPhone Safari: 'On iPhone and iPad, notifications need the app on your Home Screen…', fits 360 px");

  // ------------------------------------------------------------ iPad asking for desktop sites
  step = "iPad";
  const ipad = await browser.newContext({ viewport: { width: 820, height: 1180 }, userAgent: IPAD_UA, hasTouch: true });
  ipad.setDefaultTimeout(8000);
  await ipad.addInitScript(safari, false);
  const tablet = watch(await ipad.newPage(), "iPad");
  // An iPad reports five touch points (a touch screen Mac does not exist).
  const touch = await ipad.newCDPSession(tablet);
  await touch.send("Emulation.setTouchEmulationEnabled", { enabled: true, maxTouchPoints: 5 });
  texts = await notificationsPage(tablet);
  check(texts.includes(HOME_SCREEN), `an iPad with a desktop user agent gets the advice too: ${JSON.stringify(texts)}`);
  log("iPad (Macintosh user agent, touch): the same advice");

  // ------------------------------------------------------------ a Mac's Safari without push
  step = "Mac";
  const mac = await browser.newContext({ viewport: { width: 1280, height: 800 }, userAgent: IPAD_UA });
  mac.setDefaultTimeout(8000);
  await mac.addInitScript(safari, false);
  texts = await notificationsPage(watch(await mac.newPage(), "Mac"));
  check(!texts.includes(HOME_SCREEN) && texts.some((t) => t.startsWith("This browser cannot receive push notifications")), `a Mac (no touch) gets the general reason: ${JSON.stringify(texts)}`);

  // ------------------------------------------------------------ installed, but an old iOS
  step = "old iOS on the Home Screen";
  const old = await browser.newContext({ viewport: { width: 360, height: 740 }, userAgent: IPHONE_UA, isMobile: true, hasTouch: true });
  old.setDefaultTimeout(8000);
  await old.addInitScript(safari, true);
  texts = await notificationsPage(watch(await old.newPage(), "old iOS"));
  check(texts.some((t) => t.includes("iOS or iPadOS 16.4 or later")) && !texts.includes(HOME_SCREEN), `opened from the Home Screen without push: ${JSON.stringify(texts)}`);
  log("a Mac without push and an installed app on an old iOS each get their own reason");

  step = "no errors";
  check(problems.length === 0, problems.join("\n"));
} catch (e) {
  failed = e;
} finally {
  await browser.close();
}
if (failed) {
  console.error(failed.stack || String(failed));
  process.exit(1);
}
log("notifications page and manifest: all checks passed");
