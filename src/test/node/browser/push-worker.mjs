// Drives the dashboard's real service worker (/sw.js) in Debian's Chromium: push messages are
// delivered through the DevTools protocol (ServiceWorker.deliverPushMessage: the worker's own
// push handler runs, as for a message from a push service), and what it shows is read back
// with registration.getNotifications(). A headless browser cannot click a notification, so the
// clicks call the worker's own click handler (`clicked`, what its notificationclick listener
// runs) inside the worker, with the notification it showed; only opening a window is recorded
// instead of done (a window may only be opened during a real click).
//
// The page's origin is a small proxy in this script in front of the real server (BASE_URL):
// every request goes to the server, except POST /d/... (the action links), which the proxy
// answers with the JSON contract of sw.js and records.
// Env: BASE_URL, CHROMIUM (default /usr/bin/chromium). Exits non-zero with the failed check.

import { launch } from "./chromium.mjs";
import http from "node:http";

const BASE = process.env.BASE_URL;
if (!BASE) throw new Error("missing env BASE_URL");
let step = "start";
function check(cond, msg) {
  if (!cond) throw new Error(`check failed (${step}): ${msg}`);
}
const t0 = Date.now();
const log = (m) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);

// ---------------------------------------------------------------- the proxy and its links
const posts = []; // what reached the action links: {path, method, headers, body}
const answers = {
  "/d/approve-ok": [200, { ok: true, status: "approved", message: "Approved · Deploy v2.3.1", page: "/d/approve-ok" }],
  "/d/vote-ok": [200, { ok: true, status: "pending", message: "Your approval is recorded: 1 more needed", page: "/d/vote-ok" }],
  "/d/approve-used": [410, { ok: false, status: "approved", message: "This link was already used.", page: "/d/approve-used/page" }],
  "/d/approve-decided": [409, { ok: false, status: "rejected", message: "Already rejected by Alice at 14:02" }],
};
const upstream = new URL(BASE);
const proxy = http.createServer((req, res) => {
  if (req.url.startsWith("/d/")) {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      posts.push({ path: req.url, method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url === "/d/html") {
        res.writeHead(200, { "Content-Type": "text/html" });
        return res.end("<!doctype html><title>Approve?</title><p>a page, not a result");
      }
      const [status, json] = answers[req.url] || [404, { ok: false, message: "Unknown link." }];
      res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" });
      res.end(JSON.stringify(json));
    });
    return;
  }
  const forward = http.request(
    { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } },
    (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    },
  );
  forward.on("error", (e) => {
    res.writeHead(502);
    res.end(String(e));
  });
  req.pipe(forward);
});
await new Promise((r) => proxy.listen(0, "127.0.0.1", r));
const ORIGIN = `http://127.0.0.1:${proxy.address().port}`;

// ---------------------------------------------------------------- the browser and the worker
const browser = await launch();
let failed = null;
try {
  const context = await browser.newContext();
  context.setDefaultTimeout(8000);
  await context.grantPermissions(["notifications"], { origin: ORIGIN });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error ${e.message}`));
  await page.goto(`${ORIGIN}/`);

  step = "register /sw.js";
  const cdp = await context.newCDPSession(page);
  const registrations = new Map();
  cdp.on("ServiceWorker.workerRegistrationUpdated", (e) => {
    for (const r of e.registrations) registrations.set(r.registrationId, r);
  });
  await cdp.send("ServiceWorker.enable");
  const workerReady = context.waitForEvent("serviceworker");
  // As push.js registers it.
  await page.evaluate(async () => {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    await navigator.serviceWorker.ready;
  });
  const worker = context.serviceWorkers()[0] || (await workerReady);
  const registration = [...registrations.values()].find((r) => !r.isDeleted && r.scopeURL === `${ORIGIN}/`);
  check(registration, `a registration for ${ORIGIN}/ (${JSON.stringify([...registrations.values()])})`);
  log(`worker registered (registration ${registration.registrationId})`);

  // Chromium forgets a notification whose getNotifications() read races its display (the read
  // syncs with the displayed ones), so the test reads only once the worker's push handler has
  // finished: it counts the handler's completions (the worker's own handler still does the work).
  await worker.evaluate(() => {
    const handler = self.pushed;
    self.pushesHandled = 0;
    self.pushed = (p) => handler(p).finally(() => self.pushesHandled++);
  });
  /** Delivers one push message to the worker, as a push service would, and waits for `tag`. */
  async function push(payload, tag, wanted = (list) => list.length > 0) {
    const data = typeof payload === "string" ? payload : JSON.stringify(payload);
    const handled = await worker.evaluate(() => self.pushesHandled);
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: `${ORIGIN}/`, registrationId: registration.registrationId, data });
    for (const start = Date.now(); (await worker.evaluate(() => self.pushesHandled)) === handled; ) {
      if (Date.now() - start > 5000) throw new Error(`check failed (${step}): the push handler did not finish (${data})`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return shown(tag, wanted);
  }
  /** The notifications shown under `tag` once `wanted(list)` holds (2 s at most). */
  async function shown(tag, wanted = (list) => list.length > 0) {
    const start = Date.now();
    for (;;) {
      const list = await worker.evaluate(async (t) => {
        const all = await self.registration.getNotifications(t === undefined ? undefined : { tag: t });
        return all.map((n) => ({ title: n.title, body: n.body, tag: n.tag, actions: n.actions.map((a) => ({ action: a.action, title: a.title })), data: n.data, silent: n.silent, renotify: n.renotify, requireInteraction: n.requireInteraction }));
      }, tag);
      if (wanted(list)) return list;
      if (Date.now() - start > 3000) {
        const every = await worker.evaluate(async () => (await self.registration.getNotifications()).map((n) => `${n.tag}: ${n.title}`));
        throw new Error(`check failed (${step}): notifications under ${tag}: ${JSON.stringify(list)} (all: ${JSON.stringify(every)})`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  /** Clicks (button `action`, "" for the notification itself) the one notification under `tag`. */
  async function click(tag, action) {
    return worker.evaluate(
      async ([t, a]) => {
        const [n] = await self.registration.getNotifications({ tag: t });
        if (!n) return { error: `no notification under ${t}` };
        const opened = [];
        await clicked(n, a, async (url) => opened.push(url));
        return { opened };
      },
      [tag, action],
    );
  }
  const nothingUnder = (list) => list.length === 0;

  // -------------------------------------------------------------- today's payload still works
  step = "today's payload";
  let [n] = await push({ type: "checkin.pending", check_in_id: "ci_old", room_id: "rm_1", room: "Deployments", action: "Deploy v2.3.0 to production", risk_level: "low", urgency: "normal", agent_id: "agt_1", url: "/#/check-ins/ci_old" }, "ci_old");
  check(n.title === "Waiting in Deployments · low risk", `title ${n.title}`);
  check(n.body === "Deploy v2.3.0 to production", `body ${n.body}`);
  check(n.actions.length === 0, `no buttons without actions: ${JSON.stringify(n.actions)}`);
  check(n.data.url === "/#/check-ins/ci_old", `data.url ${n.data.url}`);
  let r = await click("ci_old", "");
  check(JSON.stringify(r.opened) === JSON.stringify(["/#/check-ins/ci_old"]), `a click opens the check-in: ${JSON.stringify(r)}`);
  await shown("ci_old", nothingUnder);
  [n] = await push({ type: "checkin.escalated", check_in_id: "ci_old", room: "Deployments", action: "Deploy v2.3.0 to production", risk_level: "low", escalation_level: 2, url: "/#/check-ins/ci_old" }, "ci_old");
  check(n.title === "Escalated (level 2) in Deployments · low risk" && n.renotify === true, `escalation: ${JSON.stringify(n)}`);
  log("today's payload: title, body, tag by check-in id, no buttons, a click opens the check-in, escalation re-alerts");

  // -------------------------------------------------------------- actions shown, list kept
  step = "actions";
  const pending = (id, actions, extra = {}) => ({
    type: "checkin.pending", check_in_id: id, tag: `ci-${id}`, room_id: "rm_1", room: "Deployments",
    action: "Deploy v2.3.1", risk_level: "low", urgency: "normal", url: `/#/check-ins/${id}`, actions, ...extra,
  });
  const approve = (path) => ({ action: "approve", title: "Approve", url: `${ORIGIN}${path}`, post: true });
  const reject = { action: "reject", title: "Reject…", url: `${ORIGIN}/d/reject-page`, post: false };
  const review = { action: "review", title: "Review", url: `${ORIGIN}/d/review-page`, post: false };
  [n] = await push(pending("ci_1", [approve("/d/approve-ok"), reject, review], { title: "Deployments · low risk", body: "Deploy v2.3.1 to production" }), "ci-ci_1");
  check(n.title === "Deployments · low risk" && n.body === "Deploy v2.3.1 to production", `the payload's title and body: ${JSON.stringify(n)}`);
  check(JSON.stringify(n.actions) === JSON.stringify([{ action: "approve", title: "Approve" }, { action: "reject", title: "Reject…" }]), `two buttons: ${JSON.stringify(n.actions)}`);
  check(n.data.actions.length === 3 && n.data.actions[0].url === `${ORIGIN}/d/approve-ok` && n.data.actions[0].post === true && n.data.actions[1].post === false, `the action list in data: ${JSON.stringify(n.data.actions)}`);
  check(n.tag === "ci-ci_1", `tag ${n.tag}`);
  log("a pending check-in shows Approve and Reject…, keeps the three actions and their links in its data");

  // -------------------------------------------------------------- approve from the notification
  step = "approve posts the link";
  r = await click("ci-ci_1", "approve");
  check(r.opened.length === 0, `approving opens no window: ${JSON.stringify(r)}`);
  check(posts.length === 1, `one POST reached the link: ${JSON.stringify(posts)}`);
  const sent = posts[0];
  check(sent.method === "POST" && sent.path === "/d/approve-ok", `${sent.method} ${sent.path}`);
  check(sent.headers["content-type"] === "application/x-www-form-urlencoded", `content-type ${sent.headers["content-type"]}`);
  check(sent.headers.accept === "application/json", `accept ${sent.headers.accept}`);
  check(sent.body === "reason=", `body ${sent.body}`);
  check(!sent.headers.authorization && !sent.headers.cookie, `no credential but the link: ${JSON.stringify(sent.headers)}`);
  let list = await shown("ci-ci_1", (l) => l.length === 1 && l[0].title !== "Deployments · low risk");
  check(list[0].title === "Approved · Deploy v2.3.1", `the result replaces the question: ${JSON.stringify(list)}`);
  check(list[0].actions.length === 0, `no buttons on a result: ${JSON.stringify(list[0].actions)}`);
  r = await click("ci-ci_1", "");
  check(JSON.stringify(r.opened) === JSON.stringify(["/#/check-ins/ci_1"]), `the result opens the check-in: ${JSON.stringify(r)}`);
  log("Approve: the worker POSTs reason= to the link without credentials, shows 'Approved · Deploy v2.3.1' under the same tag");

  step = "a quorum vote";
  await push(pending("ci_q", [approve("/d/vote-ok"), reject]), "ci-ci_q");
  await click("ci-ci_q", "approve");
  list = await shown("ci-ci_q", (l) => l.length === 1 && l[0].actions.length === 0);
  check(list[0].title === "Your approval is recorded: 1 more needed", `vote: ${JSON.stringify(list)}`);

  // -------------------------------------------------------------- failures say why, open the page
  step = "a used link";
  await push(pending("ci_2", [approve("/d/approve-used"), reject]), "ci-ci_2");
  await click("ci-ci_2", "approve");
  list = await shown("ci-ci_2", (l) => l.length === 1 && l[0].actions.length === 0);
  check(list[0].title === "Not decided" && list[0].body === "This link was already used.", `410: ${JSON.stringify(list)}`);
  r = await click("ci-ci_2", "");
  check(JSON.stringify(r.opened) === JSON.stringify([`${ORIGIN}/d/approve-used/page`]), `a failure opens the server's page: ${JSON.stringify(r)}`);

  step = "an already decided check-in";
  await push(pending("ci_3", [approve("/d/approve-decided"), reject]), "ci-ci_3");
  await click("ci-ci_3", "approve");
  list = await shown("ci-ci_3", (l) => l.length === 1 && l[0].actions.length === 0);
  check(list[0].body === "Already rejected by Alice at 14:02", `409: ${JSON.stringify(list)}`);
  r = await click("ci-ci_3", "");
  check(JSON.stringify(r.opened) === JSON.stringify([`${ORIGIN}/d/approve-decided`]), `without a page, the link itself: ${JSON.stringify(r)}`);

  step = "an answer that is no result";
  await push(pending("ci_4", [approve("/d/html")]), "ci-ci_4");
  await click("ci-ci_4", "approve");
  list = await shown("ci-ci_4", (l) => l.length === 1 && l[0].actions.length === 0);
  check(list[0].title === "Not decided" && /answered 200 without a result/.test(list[0].body), `html: ${JSON.stringify(list)}`);

  step = "the server cannot be reached";
  const dead = http.createServer();
  await new Promise((res) => dead.listen(0, "127.0.0.1", res));
  const deadUrl = `http://127.0.0.1:${dead.address().port}/d/gone`;
  await new Promise((res) => dead.close(res));
  await push(pending("ci_5", [{ action: "approve", title: "Approve", url: deadUrl, post: true }]), "ci-ci_5");
  await click("ci-ci_5", "approve");
  list = await shown("ci-ci_5", (l) => l.length === 1 && l[0].actions.length === 0);
  check(list[0].body === "Waitroom could not be reached.", `down: ${JSON.stringify(list)}`);
  r = await click("ci-ci_5", "");
  check(JSON.stringify(r.opened) === JSON.stringify([deadUrl]), `opens the link: ${JSON.stringify(r)}`);
  log("failures (410, 409, an HTML answer, no server) show 'Not decided' with the reason; a click opens the page or the link");

  // -------------------------------------------------------------- buttons that open a page
  step = "reject and review open their page";
  const before = posts.length;
  await push(pending("ci_6", [approve("/d/approve-ok"), reject]), "ci-ci_6");
  r = await click("ci-ci_6", "reject");
  check(JSON.stringify(r.opened) === JSON.stringify([`${ORIGIN}/d/reject-page`]), `reject opens its page: ${JSON.stringify(r)}`);
  await push(pending("ci_7", [review], { risk_level: "critical" }), "ci-ci_7");
  [n] = await shown("ci-ci_7");
  check(JSON.stringify(n.actions) === JSON.stringify([{ action: "review", title: "Review" }]) && n.requireInteraction, `critical: Review only, stays: ${JSON.stringify(n)}`);
  r = await click("ci-ci_7", "review");
  check(JSON.stringify(r.opened) === JSON.stringify([`${ORIGIN}/d/review-page`]), `review opens its page: ${JSON.stringify(r)}`);
  check(posts.length === before, `opening a page posts nothing: ${JSON.stringify(posts.slice(before))}`);
  log("Reject… and Review open the link's page and post nothing");

  step = "malformed actions are left out";
  [n] = await push(pending("ci_8", [{ action: "approve", title: "Approve", url: "javascript:alert(1)", post: true }, { title: "no name", url: `${ORIGIN}/d/x` }, "approve", review]), "ci-ci_8");
  check(JSON.stringify(n.actions) === JSON.stringify([{ action: "review", title: "Review" }]), `only the well-formed one: ${JSON.stringify(n.actions)}`);

  // -------------------------------------------------------------- settled elsewhere
  step = "settled";
  await push(pending("ci_9", [approve("/d/approve-ok"), reject]), "ci-ci_9");
  list = await push({ type: "checkin.settled", check_in_id: "ci_9", tag: "ci-ci_9", status: "approved", title: "Approved by Alice", body: "Deploy v2.3.1" }, "ci-ci_9", (l) => l.length === 1 && l[0].actions.length === 0);
  check(list[0].title === "Approved by Alice" && list[0].body === "Deploy v2.3.1", `replacement: ${JSON.stringify(list)}`);
  check(list[0].silent === true && list[0].renotify === false, `quietly: ${JSON.stringify(list[0])}`);
  r = await click("ci-ci_9", "approve");
  check(r.opened.length === 1 && r.opened[0] === "/#/check-ins/ci_9", `a stale button only opens the check-in: ${JSON.stringify(r)}`);
  // A notification from an older server (tagged with the bare id) goes too.
  await push({ type: "checkin.pending", check_in_id: "ci_10", room: "Deployments", action: "Rotate keys", risk_level: "medium" }, "ci_10");
  await push({ type: "checkin.settled", check_in_id: "ci_10", tag: "ci-ci_10", status: "rejected", title: "Rejected by Bob", body: "Rotate keys" }, "ci-ci_10");
  await shown("ci_10", nothingUnder);
  list = await push({ type: "checkin.settled", check_in_id: "ci_11", tag: "ci-ci_11", status: "expired" }, "ci-ci_11");
  check(list[0].title === "Check-in expired", `without a title: ${JSON.stringify(list)}`);
  const all = await shown(undefined);
  check(!all.some((x) => x.tag === "ci-ci_9" && x.actions.length), `no stale buttons anywhere: ${JSON.stringify(all)}`);
  log("settled: the pending notification is replaced quietly under its tag (and an older server's bare-id one closed)");

  step = "not JSON";
  [n] = await push("Deploy v9 (text, not JSON)", undefined, (l) => l.some((x) => x.body === "Deploy v9 (text, not JSON)"));
  check(problems.length === 0, problems.join("\n"));
  log("a payload that is not JSON still shows its text");
} catch (e) {
  failed = e;
} finally {
  await browser.close();
  proxy.close();
}
if (failed) {
  console.error(failed.stack || String(failed));
  process.exit(1);
}
log("push worker: all checks passed");
