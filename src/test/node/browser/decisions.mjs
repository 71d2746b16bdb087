// The dashboard for the people who decide (issue 30), in Debian's Chromium: names instead of ids,
// the room overview, Modify as a form with its diff, History with filters and search, Insights
// with charts and their tables, keyboard shortcuts, the dark theme, axe-core on every main view,
// and screenshots of every page at 1280 and 360 px.
// Env: BASE_URL, TOKEN (alice, named "Alice Example"), BOB_TOKEN ("Bob Builder"), AGENT_KEY
// (agent "deployer"), AGENT2_KEY ("designer"), ROOM and ROOM2 (slugs), SCREENSHOTS, CHROMIUM.
// Exits non-zero with the failed check's message.

import { env, launch, screenshots } from "./chromium.mjs";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const BASE = env("BASE_URL");
const TOKEN = env("TOKEN");
const BOB = env("BOB_TOKEN");
const AGENT = env("AGENT_KEY");
const AGENT2 = env("AGENT2_KEY");
const ROOM = env("ROOM");
const ROOM2 = env("ROOM2");
const SHOTS = screenshots();
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const BARE_ID = /\b(usr|ag)_[0-9a-z]{26}\b/;

let step = "start";
const t0 = Date.now();
const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
function check(cond, msg) {
  if (!cond) throw new Error(`check failed (${step}): ${msg}`);
}
async function api(method, path, cred, body) {
  const res = await fetch(BASE + path, {
    method,
    headers: { Authorization: `Bearer ${cred}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => ({}));
  return { status: res.status, data: json.data, error: json.error, json };
}
async function checkIn(action, extra = {}, room = ROOM, key = AGENT) {
  const r = await api("POST", `/v1/rooms/${room}/check-in`, key, { action, ...extra });
  check(r.status === 201 && r.data.status === "pending", `check-in ${action}: ${r.status} ${JSON.stringify(r.error || r.data)}`);
  return r.data;
}
async function decide(id, kind, cred, body = {}) {
  const r = await api("POST", `/v1/check-ins/${id}/${kind}`, cred, body);
  check(r.status === 200, `${kind} ${id}: ${r.status} ${JSON.stringify(r.error)}`);
  return r.data;
}
async function noHorizontalScroll(page, what) {
  const m = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth, bw: document.body.scrollWidth }));
  check(m.sw <= m.cw && m.bw <= m.cw, `${what}: horizontal scroll at ${m.cw}px (scrollWidth ${m.sw}, body ${m.bw})`);
}
async function noBareIds(page, what) {
  const text = await page.locator("main").innerText();
  const m = text.match(BARE_ID);
  check(!m, `${what} shows a bare id ${m && m[0]}`);
}
/** axe-core inside the page (evaluated through DevTools, so the page's CSP stays as strict). */
async function axe(page, what) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  check(!bad.length, `${what}: axe-core ${JSON.stringify(bad)}`);
  const minor = result.filter((v) => !bad.includes(v)).map((v) => `${v.id}(${v.impact})`);
  log(`axe-core on ${what}: no serious or critical violation${minor.length ? `; minor: ${minor.join(", ")}` : ""}`);
}
async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}
const problems = [];
function watch(page, name) {
  page.on("pageerror", (e) => problems.push(`${name}: page error ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) problems.push(`${name}: console error ${m.text()}`);
  });
  return page;
}
const detail = (page) => page.getByRole("region", { name: /Check-in details/ });
const inboxLink = (page, action) => page.locator("ul.items").getByRole("link", { name: action, exact: true });

// ------------------------------------------------------------ a scripted history, through the API
step = "scripted history";
const me = (await api("GET", "/v1/me", TOKEN)).data;
const bobMe = (await api("GET", "/v1/me", BOB)).data;
check(me.name === "Alice Example" && bobMe.name === "Bob Builder", `names: ${me.name}, ${bobMe.name}`);
const d1 = await checkIn("Deploy web to production");
const d2 = await checkIn("Drop the query cache", { description: "stale entries after the migration" });
const d3 = await checkIn("Publish the landing page", {}, ROOM, AGENT2);
const d4 = await checkIn("Refund order 7", {}, ROOM2);
await decide(d1.id, "approve", BOB, { reason: "ship it" });
await decide(d2.id, "reject", TOKEN, { reason: "not during the sale" });
await decide(d3.id, "approve", TOKEN);
await decide(d4.id, "approve", BOB);
const seatsCtx = { seats: 50, target: "production", targets: ["production", "staging"], dry_run: false, limits: { cpu: 2 } };
const mod = await checkIn("Buy seats of DesignTool Pro", { context: seatsCtx, risk_level: "medium" });
const rotate = await checkIn("Rotate the signing keys", { urgency: "high" });
const refund = await checkIn("Refund order 9", {}, ROOM2);
log("history: 4 decided (2 by bob, 2 by alice), 3 pending");

const browser = await launch();
let failed = null;
try {
  const wide = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
  wide.setDefaultTimeout(8000);
  const page = watch(await wide.newPage(), "wide");
  await page.goto(`${BASE}/#token=${TOKEN}`);
  await page.getByRole("heading", { name: "Inbox" }).waitFor();

  // ------------------------------------------------------------ overview
  step = "overview counts";
  const overview = page.getByRole("list", { name: "Rooms" });
  const card = (name) => overview.getByRole("button", { name: new RegExp(`^${name}`) });
  await card("Deployments").waitFor();
  const roomsApi = (await api("GET", "/v1/stats/rooms", TOKEN)).data;
  const depl = roomsApi.find((r) => r.slug === ROOM);
  const bill = roomsApi.find((r) => r.slug === ROOM2);
  check(depl.pending === 2 && bill.pending === 1, `pending per room ${JSON.stringify(roomsApi)}`);
  check(depl.decided_today === 3 && bill.decided_today === 1, `decided today per room ${JSON.stringify(roomsApi)}`);
  const deplText = await card("Deployments").innerText();
  check(deplText.includes("2 waiting") && deplText.includes("3 decided today") && /oldest .* ago|oldest just now/.test(deplText) && /median \d/.test(deplText), `Deployments card: ${deplText}`);
  const billText = await card("Billing").innerText();
  check(billText.includes("1 waiting") && billText.includes("1 decided today"), `Billing card: ${billText}`);
  await card("Billing").click();
  await inboxLink(page, refund.action).waitFor();
  check((await page.locator("ul.items li.item").count()) === 1, "the Billing card did not filter the inbox");
  check((await card("Billing").getAttribute("aria-pressed")) === "true", "the picked room is not marked");
  await card("Billing").click();
  await inboxLink(page, mod.action).waitFor();
  check((await page.locator("ul.items li.item").count()) === 3, "picking the room again did not show all");
  log("overview: counts match the API and the scripted set; a card filters the inbox");

  step = "names in the inbox";
  const modRow = page.locator("ul.items li", { has: page.getByRole("link", { name: mod.action, exact: true }) });
  check((await modRow.locator(".agent").innerText()) === "deployer", "inbox shows no agent name");
  await noBareIds(page, "inbox");
  check(/waiting since (just now|\d+ s ago)/.test(await modRow.innerText()), `relative time: ${await modRow.innerText()}`);
  const before = await modRow.locator("time").innerText();
  await page.waitForTimeout(6100);
  const after = await modRow.locator("time").innerText();
  check(before !== after, `relative time not live: ${before} → ${after}`);
  await axe(page, "Inbox");
  await shot(page, "inbox-1280");

  // ------------------------------------------------------------ shortcuts
  step = "shortcuts";
  await page.locator("body").click({ position: { x: 5, y: 300 } });
  await page.keyboard.press("?");
  const keys = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await keys.waitFor();
  for (const k of ["j", "k", "o or Enter", "a", "r", "m"]) check(await keys.getByText(k, { exact: true }).count(), `help lacks ${k}`);
  await page.keyboard.press("Escape");
  await page.keyboard.press("j");
  await page.waitForFunction(() => location.hash.startsWith("#/check-ins/"));
  const firstId = await page.evaluate(() => decodeURIComponent(location.hash.split("/")[2]));
  check(firstId === rotate.id, `j opened ${firstId}, not the urgent one ${rotate.id}`);
  await page.keyboard.press("j");
  await page.waitForFunction((id) => !location.hash.endsWith(id), rotate.id);
  await page.keyboard.press("k");
  await page.waitForFunction((id) => location.hash.endsWith(id), rotate.id);
  await detail(page).getByRole("heading", { name: rotate.action }).waitFor();
  await page.keyboard.press("r");
  check(await page.evaluate(() => document.activeElement && document.activeElement.name === "reason"), "r did not focus the reason");
  await page.keyboard.type("keys rotate on Monday");
  await detail(page).getByRole("button", { name: "Reject", exact: true }).click();
  await inboxLink(page, rotate.action).waitFor({ state: "detached" });
  check((await api("GET", `/v1/check-ins/${rotate.id}`, TOKEN)).data.decision.reason === "keys rotate on Monday", "r + typed reason did not reject");
  await page.goto(`${BASE}/#/inbox`);
  await inboxLink(page, mod.action).waitFor();
  await page.locator("body").click({ position: { x: 5, y: 300 } });
  await page.keyboard.press("o");
  await page.waitForFunction(() => location.hash.startsWith("#/check-ins/"));
  await page.goto(`${BASE}/#/inbox`);
  await inboxLink(page, mod.action).focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction((id) => location.hash.endsWith(id), mod.id);
  log("shortcuts: ? lists them, j/k move, o and Enter open, r focuses the reason (then Reject)");

  // ------------------------------------------------------------ modify as a form
  step = "modify as a form";
  const dc = detail(page);
  await dc.getByRole("heading", { name: mod.action }).waitFor();
  check((await dc.locator("dl.facts").innerText()).includes("deployer"), "detail shows no agent name");
  await noBareIds(page, "detail");
  await axe(page, "a detail view");
  await shot(page, "detail-1280");
  await dc.getByRole("button", { name: "Modify", exact: true }).click();
  const seats = dc.getByLabel("seats", { exact: true });
  await seats.waitFor();
  check((await seats.getAttribute("type")) === "number", "seats is not a number input");
  check((await dc.getByLabel("target", { exact: true }).evaluate((e) => e.tagName)) === "SELECT", "target (an enum seen in the value) is not a select");
  check((await dc.getByLabel("dry_run", { exact: true }).getAttribute("type")) === "checkbox", "dry_run is not a checkbox");
  check((await dc.getByLabel("limits", { exact: true }).evaluate((e) => e.tagName)) === "TEXTAREA", "limits (an object) is not a JSON field");
  await seats.fill("40");
  await dc.getByLabel("target", { exact: true }).selectOption("staging");
  await dc.getByRole("button", { name: "Add field" }).click();
  await dc.getByLabel("New field name").fill("note");
  await dc.getByLabel("New field value").fill("canary first");
  const changes = dc.getByRole("list", { name: "Changes to send" });
  await changes.getByText("seats: 50 → 40").waitFor();
  await changes.getByText("target: production → staging").waitFor();
  await changes.getByText("note: (added) canary first").waitFor();
  check((await changes.locator("li").count()) === 3, `diff lines: ${await changes.innerText()}`);
  await shot(page, "modify-form-1280");
  await dc.getByLabel("Reason").fill("40 seats, staging first");
  await dc.getByRole("button", { name: "Modify", exact: true }).click();
  let stored = null;
  for (let i = 0; i < 60 && !stored; i++) {
    const s = (await api("GET", `/v1/check-ins/${mod.id}`, TOKEN)).data;
    if (s.status === "modified") stored = s;
    else await new Promise((r) => setTimeout(r, 100));
  }
  check(stored, "not modified in the API");
  // Exactly the changed and added fields (jsonb keeps keys in its own order).
  const sorted = (o) => JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1))));
  check(sorted(stored.decision.modifications) === sorted({ seats: 40, target: "staging", note: "canary first" }), `modifications stored: ${JSON.stringify(stored.decision.modifications)}`);
  check(stored.decision.decided_by === me.id, "not alice's modification");
  log("modify: the form sent exactly the changed and added fields; the diff was shown first");

  // ------------------------------------------------------------ history
  step = "history";
  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "History" }).click();
  await page.getByRole("heading", { name: "History", level: 1 }).waitFor();
  const rows = page.locator("table.history tbody tr");
  const decided = "approved,rejected,modified,expired,withdrawn";
  const listed = async (query) => (await api("GET", `/v1/check-ins?status=${decided}&limit=100${query}`, TOKEN)).data.map((c) => c.action);
  const shown = async () => (await rows.locator("td:first-child a").allInnerTexts());
  const settle = async (want) => {
    for (let i = 0; i < 80; i++) {
      if (JSON.stringify(await shown()) === JSON.stringify(want)) return;
      await page.waitForTimeout(50);
    }
    check(false, `history shows ${JSON.stringify(await shown())}, the API holds ${JSON.stringify(want)}`);
  };
  await settle(await listed(""));
  check((await shown()).length === 6, `history rows ${JSON.stringify(await shown())}`);
  const byBob = page.locator("table.history tbody tr", { has: page.getByRole("link", { name: d1.action }) });
  check((await byBob.innerText()).includes("Bob Builder"), `decided-by name: ${await byBob.innerText()}`);
  await noBareIds(page, "history");
  await axe(page, "History");
  await shot(page, "history-1280");
  const filters = page.getByRole("form", { name: "History filters" });
  await filters.getByLabel("Outcome").selectOption("modified");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await settle([mod.action]);
  await filters.getByLabel("Outcome").selectOption("");
  await filters.getByLabel("Decided by").selectOption({ label: "Bob Builder" });
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await settle(await listed(`&decided_by=${bobMe.id}`));
  check((await shown()).length === 2, "decided by bob: not 2");
  await filters.getByLabel("Decided by").selectOption("");
  await filters.getByLabel("Room").selectOption({ label: "Billing" });
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await settle([d4.action]);
  await filters.getByLabel("Room").selectOption("");
  await filters.getByLabel("Agent").selectOption({ label: "designer" });
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await settle([d3.action]);
  await filters.getByLabel("Agent").selectOption("");
  await filters.getByLabel("Search").fill("migration");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await settle([d2.action]);
  await filters.getByLabel("Search").fill("refund");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await settle(await listed("&q=refund"));
  await filters.getByLabel("Search").fill("");
  await filters.getByLabel("Page size").selectOption("20");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await settle(await listed(""));
  log("history: every filter and the search show what the API holds");

  step = "history detail";
  await page.getByRole("link", { name: mod.action }).click();
  await page.getByRole("heading", { name: mod.action, level: 1 }).waitFor();
  const mods = page.getByRole("list", { name: "Modifications" });
  await mods.getByText("seats: 50 → 40").waitFor();
  await mods.getByText("note: (added) canary first").waitFor();
  check((await page.locator(".state").innerText()).includes("modified by Alice Example"), `history state: ${await page.locator(".state").innerText()}`);
  await page.getByRole("list", { name: "Thread" }).getByText("Alice Example").first().waitFor();
  await noBareIds(page, "history detail");
  await axe(page, "a history detail");
  await shot(page, "history-detail-1280");

  // ------------------------------------------------------------ audit by name
  step = "audit by name";
  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Audit" }).click();
  const auditTable = page.locator("table.audit");
  await auditTable.getByText("Alice Example").first().waitFor();
  await auditTable.getByRole("link", { name: mod.action }).first().waitFor();
  check((await auditTable.innerText()).includes("Bob Builder"), "audit does not name bob");
  await noBareIds(page, "audit");
  await shot(page, "audit-1280");

  // ------------------------------------------------------------ insights
  step = "insights";
  const statsCall = page.waitForResponse((r) => r.url().includes("/v1/stats?") && r.url().includes("bucket=hour"));
  statsCall.catch(() => {}); // awaited below; a failure before that is reported, not this
  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Insights" }).click();
  await page.getByRole("heading", { name: "Insights" }).waitFor();
  await page.getByLabel("Range", { exact: true }).selectOption("24h");
  const stats = (await (await statsCall).json()).data;
  await page.locator("figure#ttd").getByText("p50 and p90 per hour").waitFor();
  const drawn = await page.evaluate(() => [...document.querySelectorAll("figure.chart canvas")].map((c) => window.Chart && window.Chart.getChart(c) ? c.width : 0));
  check(drawn.length === 3 && drawn.every((w) => w > 0), `charts drawn: ${JSON.stringify(drawn)}`);
  check(stats.totals.decided === 6 && stats.totals.outcomes.approved === 3 && stats.totals.outcomes.rejected === 2 && stats.totals.outcomes.modified === 1, `stats totals ${JSON.stringify(stats.totals)}`);
  const outcomes = page.locator("figure#outcomes");
  await outcomes.getByRole("button", { name: "Show table" }).click();
  const outRows = await outcomes.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  const withData = stats.series.filter((b) => b.decided > 0);
  check(outRows.length === withData.length, `outcome table rows ${JSON.stringify(outRows)} vs ${JSON.stringify(withData)}`);
  outRows.forEach((r, i) => {
    const b = withData[i].outcomes;
    check(JSON.stringify(r.slice(1)) === JSON.stringify([b.approved, b.modified, b.rejected, b.expired, b.auto_approved].map(String)), `outcome row ${JSON.stringify(r)} vs ${JSON.stringify(b)}`);
  });
  const ttd = page.locator("figure#ttd");
  await ttd.getByRole("button", { name: "Show table" }).click();
  const ttdRows = await ttd.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  const human = stats.series.filter((b) => b.human_decided > 0);
  check(ttdRows.length === human.length && ttdRows.every((r, i) => r[1] === String(human[i].human_decided)), `time-to-decision table ${JSON.stringify(ttdRows)}`);
  const trust = page.locator("figure#trust");
  await trust.getByRole("button", { name: "Show table" }).click();
  const trustText = await trust.locator("table").innerText();
  const lines = stats.trust;
  check(lines.length === 3, `trust lines ${JSON.stringify(lines)}`);
  for (const l of lines) for (const p of l.points) check(trustText.includes(String(p.score)), `trust table lacks ${p.score}: ${trustText}`);
  check(trustText.includes("deployer in Deployments") && trustText.includes("designer in Deployments"), `trust table names: ${trustText}`);
  const summary = await page.locator(".totals").innerText();
  check(summary.startsWith("6 decided (6 by people)"), `summary ${summary}`);
  await axe(page, "Insights");
  await shot(page, "insights-1280");
  // One room: the trust lines of that room only.
  await page.getByLabel("Room", { exact: true }).selectOption({ label: "Billing" });
  await page.locator("figure#trust").getByRole("button", { name: "Show table" }).click();
  await page.locator("figure#trust table").getByText("deployer", { exact: true }).first().waitFor();
  check(!(await page.locator("figure#trust table").innerText()).includes("designer"), "room trust shows another room's agent");
  log("insights: three charts drawn from the jar under the CSP; their tables show the numbers /v1/stats returned");

  // ------------------------------------------------------------ every page, wide
  step = "every page at 1280";
  for (const [hash, name, heading] of [["#/tasks", "tasks", "Tasks"], ["#/rooms", "rooms", "Rooms"], ["#/agents", "agents", "Agents"], ["#/notifications", "notifications", "Notifications"]]) {
    await page.goto(`${BASE}/${hash}`);
    await page.getByRole("heading", { name: heading }).first().waitFor();
    await page.waitForTimeout(300);
    await shot(page, `${name}-1280`);
  }

  // ------------------------------------------------------------ dark
  step = "dark theme";
  const dark = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "dark" });
  const dp = watch(await dark.newPage(), "dark");
  await dp.goto(`${BASE}/#token=${TOKEN}`);
  await dp.getByRole("heading", { name: "Inbox" }).waitFor();
  await dp.getByRole("list", { name: "Rooms" }).getByRole("button").first().waitFor();
  const bg = await dp.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r, g, b] = bg.match(/\d+/g).map(Number);
  check(r + g + b < 150, `dark background ${bg}`);
  await axe(dp, "Inbox (dark)");
  await shot(dp, "inbox-dark-1280");
  await dp.goto(`${BASE}/#/insights`);
  await dp.locator("figure#trust canvas").waitFor();
  await dp.waitForTimeout(300);
  await axe(dp, "Insights (dark)");
  await shot(dp, "insights-dark-1280");
  await dark.close();
  log("dark: the page follows prefers-color-scheme");

  // ------------------------------------------------------------ phone
  step = "360 px";
  const small = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const sp = watch(await small.newPage(), "small");
  await sp.goto(`${BASE}/#token=${TOKEN}`);
  await sp.getByRole("heading", { name: "Inbox" }).waitFor();
  await sp.getByRole("list", { name: "Rooms" }).getByRole("button").first().waitFor();
  const views = [
    ["#/inbox", "inbox", async () => sp.getByRole("list", { name: "Rooms" }).getByRole("button").first().waitFor()],
    [`#/check-ins/${refund.id}`, "detail", async () => sp.getByRole("heading", { name: refund.action }).waitFor()],
    ["#/history", "history", async () => sp.locator("table.history tbody tr").first().waitFor()],
    [`#/history/${mod.id}`, "history-detail", async () => sp.getByRole("heading", { name: mod.action, level: 1 }).waitFor()],
    ["#/insights", "insights", async () => sp.locator("figure#trust canvas").waitFor()],
    ["#/audit", "audit", async () => sp.locator("table.audit tbody tr").first().waitFor()],
    ["#/tasks", "tasks", async () => sp.getByRole("heading", { name: "Tasks" }).first().waitFor()],
    ["#/rooms", "rooms", async () => sp.getByRole("heading", { name: "Rooms" }).first().waitFor()],
    ["#/agents", "agents", async () => sp.getByRole("heading", { name: "Agents" }).first().waitFor()],
    ["#/notifications", "notifications", async () => sp.getByRole("heading", { name: "Notifications" }).first().waitFor()],
  ];
  for (const [hash, name, ready] of views) {
    await sp.goto(`${BASE}/${hash}`);
    await ready();
    await sp.waitForTimeout(300);
    await noHorizontalScroll(sp, name);
    await shot(sp, `${name}-360`);
  }
  // The modify editor on a phone.
  await sp.goto(`${BASE}/#/check-ins/${refund.id}`);
  await sp.getByRole("heading", { name: refund.action }).waitFor();
  await detail(sp).getByRole("button", { name: "Modify", exact: true }).click();
  await detail(sp).getByRole("button", { name: "Add field" }).click();
  await noHorizontalScroll(sp, "modify editor");
  await shot(sp, "modify-form-360");
  await small.close();
  log("360 px: nothing overflows on any page");

  check(!problems.length, `browser problems: ${problems.join("; ")}`);
} catch (e) {
  failed = e;
  for (const [i, p] of browser.contexts().flatMap((c) => c.pages()).entries()) {
    await p.screenshot({ path: `${SHOTS}/failure-${i}.png`, fullPage: true }).catch(() => {});
  }
} finally {
  await browser.close();
}
if (failed) {
  console.error(failed.stack || String(failed));
  process.exit(1);
}
log("all checks passed");
