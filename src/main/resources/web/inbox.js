// Inbox: the room overview (per room: waiting, oldest, decided today, median time to decision),
// then every pending agent check-in of every room, most urgent then oldest first, live from the
// org stream; the detail of one beside it (with a quorum's votes and the escalation level, kept
// live by checkin.vote / checkin.escalated); batch approve; keyboard j/k/o/Enter/a/r/m/x/?.

import { all, get, post, enc } from "./api.js";
import { h, fill, field, select, errorLine, json, timeLeft, when, message, since, duration } from "./dom.js";
import { rooms, agentName, roomName, roomList, know, knowPeople, peopleOf, personName } from "./store.js";
import { decisionForm, diffList } from "./decide.js";
import { threadList } from "./thread.js";
import { onEvent, onResync } from "./stream.js";
import { say } from "./dom.js";
import { approvalsPanel, stillNeeded, escalationText } from "./votes.js";

const URGENCY = { urgent: 3, high: 2, normal: 1, low: 0 };
const items = new Map(); // id -> check-in
const nodes = new Map(); // id -> <li>
const selected = new Set();
let roomFilter = "";
let current = null; // the id the keyboard acts on
let root = null;
const notified = new Map(); // id -> whom the last escalation step notified (from checkin.escalated)
let list, filter, counts, batchError, detail, detailId = null, form = null, thread = null, detailState = null;
let detailFlow = null;
let detailContext = {}; // {urgency, escalation, approvals, note}: the parts a vote or an escalation changes

function order(a, b) {
  return (URGENCY[b.urgency] ?? 1) - (URGENCY[a.urgency] ?? 1) || (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1);
}

function visible() {
  return [...items.values()].filter((c) => !roomFilter || c.room_id === roomFilter).sort(order);
}

export async function reload() {
  const pending = await Promise.all(roomList().map((r) => all(`/v1/rooms/${enc(r.id)}/pending`).catch(() => [])));
  items.clear();
  for (const c of pending.flat()) if (c.direction === "agent_to_human" && c.status === "pending") items.set(c.id, c);
  for (const id of [...selected]) if (!items.has(id)) selected.delete(id);
  render();
}

function itemNode(c) {
  const box = h("input", { type: "checkbox", "aria-label": `Select ${c.action}`, checked: selected.has(c.id) });
  box.addEventListener("change", () => {
    if (box.checked) selected.add(c.id);
    else selected.delete(c.id);
    updateBatch();
  });
  const open = h("a", { class: "action", href: `#/check-ins/${enc(c.id)}`, text: c.action });
  const li = h(
    "li",
    { class: `item risk-${c.risk_level} urgency-${c.urgency}`, "data-id": c.id },
    box,
    h(
      "div",
      { class: "item-main" },
      open,
      h(
        "div",
        { class: "meta" },
        h("span", { class: "room", text: roomName(c.room_id) }),
        h("span", { class: "agent", text: agentName(c.agent_id) }),
        h("span", { class: `badge risk`, text: `${c.risk_level} risk` }),
        h("span", { class: `badge urgency`, text: `${c.urgency} urgency` }),
        c.escalation_level ? h("span", { class: "badge escalation", text: `escalated: ${escalationText(c)}` }) : null,
        c.quorum ? h("span", { class: "badge quorum", text: `${(c.votes || []).length} voted · ${stillNeeded(c)}` }) : null,
        since(c.created_at, "waiting since "),
        h("span", { class: "left", "data-expires": c.expires_at || "", text: timeLeft(c.expires_at) }),
      ),
    ),
  );
  li.box = box;
  li.ci = c;
  return li;
}

function render() {
  if (!root) return;
  const vis = visible();
  for (const [id, node] of nodes) if (!items.has(id) || (roomFilter && items.get(id).room_id !== roomFilter)) {
    node.remove();
    if (!items.has(id)) nodes.delete(id);
  }
  vis.forEach((c, i) => {
    let node = nodes.get(c.id);
    if (!node) nodes.set(c.id, (node = itemNode(c)));
    else if (node.ci !== c) {
      // A vote or an escalation changed it: redraw the entry, keeping the keyboard's place.
      const fresh = itemNode(c);
      const focused = node.contains(document.activeElement);
      node.replaceWith(fresh);
      nodes.set(c.id, (node = fresh));
      if (focused) fresh.querySelector(".action").focus();
    }
    node.classList.toggle("current", c.id === current);
    if (list.children[i] !== node) list.insertBefore(node, list.children[i] || null);
  });
  list.querySelector(".empty")?.remove();
  if (!vis.length) list.append(emptyInbox());
  // Pending counts per room, in the filter itself.
  const per = new Map();
  for (const c of items.values()) per.set(c.room_id, (per.get(c.room_id) || 0) + 1);
  const keep = filter.value;
  fill(filter, h("option", { value: "", text: `All rooms (${items.size})` }),
    roomList().map((r) => h("option", { value: r.id, text: `${r.name} (${per.get(r.id) || 0})` })));
  filter.value = keep;
  fill(counts, `${vis.length} waiting`);
  updateBatch();
}

/** An empty inbox says so, and how a first agent gets here. */
function emptyInbox() {
  const first = !roomFilter && items.size === 0;
  return h("li", { class: "empty" },
    h("p", { text: roomFilter ? "Nothing in this room is waiting for a decision." : "Nothing is waiting for a decision." }),
    first ? h("p", {}, "No agent has asked yet? Connect a first agent: register it on the ",
      h("a", { href: "#/agents", text: "Agents page" }), " (it gets an API key), then have it call ",
      h("code", { text: "POST /v1/rooms/{room}/check-in" }), " before a risky action. The ",
      h("a", { href: "/docs", text: "API docs" }), " show the call, the SDKs and the MCP tools.") : null);
}

// ---------------------------------------------------------------- overview

let overview = null;
let overviewTimer = null;

/** Per room: waiting, oldest waiting, decided today, median time to decision (7 days). */
async function loadOverview() {
  const o = overview;
  if (!o) return;
  let rows;
  try {
    rows = await get("/v1/stats/rooms");
  } catch (e) {
    if (overview === o) fill(o.list, h("li", { class: "error", text: `Overview unavailable: ${message(e)}` }));
    return;
  }
  // The page may have been left (or redrawn) while the answer was on its way.
  if (overview !== o) return;
  fill(o.list, rows.map((r) => {
    const b = h("button", { type: "button", class: "room-card", "aria-pressed": String(roomFilter === r.room_id), onclick: () => pickRoom(r.room_id) },
      h("strong", { class: "room-name", text: r.name }),
      h("span", { class: "n", text: `${r.pending} waiting` }),
      h("span", { class: "meta" }, r.oldest_pending_at ? since(r.oldest_pending_at, "oldest ") : "nothing waiting"),
      h("span", { class: "meta", text: `${r.decided_today} decided today` }),
      h("span", { class: "meta", text: `median ${duration(r.median_decision_seconds_7d)} (7 d)` }));
    return h("li", {}, b);
  }));
  if (!rows.length) fill(o.list, h("li", { class: "empty", text: "No rooms yet: create one on the Rooms page." }));
}

function pickRoom(id) {
  if (!overview) return;
  roomFilter = roomFilter === id ? "" : id;
  filter.value = roomFilter;
  for (const b of overview.list.querySelectorAll(".room-card")) b.setAttribute("aria-pressed", "false");
  render();
  loadOverview();
}

/** Events change the counts: refresh at most once a second. */
function overviewSoon() {
  if (!overview || overviewTimer) return;
  overviewTimer = setTimeout(() => {
    overviewTimer = null;
    loadOverview();
  }, 1000);
}

function updateBatch() {
  const n = [...selected].filter((id) => items.has(id)).length;
  root.querySelector("#approve-selected").disabled = n === 0;
  root.querySelector("#approve-selected").textContent = "Approve selected";
  root.querySelector("#selected-count").textContent = n ? `${n} selected` : "";
}

async function approveSelected() {
  batchError.show(null);
  const ids = [...selected].filter((id) => items.has(id));
  const results = await Promise.allSettled(ids.map((id) => post(`/v1/check-ins/${enc(id)}/approve`, {})));
  const refused = [];
  let votes = 0;
  results.forEach((r, i) => {
    const c = items.get(ids[i]);
    if (r.status === "fulfilled") {
      selected.delete(ids[i]);
      // On a quorum the approval may only be a vote: the check-in stays, still pending.
      if (r.value.status === "pending") {
        votes++;
        items.set(ids[i], r.value);
      } else gone(ids[i]);
    } else refused.push(`${c ? c.action : ids[i]}: ${message(r.reason)}`);
  });
  const ok = results.length - refused.length - votes;
  say(`${ok} approved${votes ? `, ${votes} ${votes === 1 ? "vote" : "votes"} recorded (still pending)` : ""}${refused.length ? `, ${refused.length} refused` : ""}.`);
  if (refused.length) batchError.show(`Refused — ${refused.join("; ")}`);
  render();
}

function gone(id) {
  items.delete(id);
  if (current === id) current = null;
}

// ---------------------------------------------------------------- detail

async function openDetail(id) {
  if (detailId === id && form) return;
  detailId = id;
  current = id;
  render();
  const heading = h("h2", { id: "detail-title", text: "Check-in details" });
  detail.hidden = false;
  fill(detail, heading, h("p", { text: "Loading…" }));
  let ci;
  try {
    ci = await get(`/v1/check-ins/${enc(id)}`);
  } catch (e) {
    if (detailId === id) fill(detail, heading, h("p", { class: "error", role: "alert", text: message(e) }));
    return;
  }
  if (detailId !== id) return;
  await know(ci.room_id, ci.agent_id);
  await knowPeople(peopleOf(ci));
  const trust = h("span", { class: "trust", text: "…" });
  if (ci.agent_id) {
    get(`/v1/agents/${enc(ci.agent_id)}/trust`)
      .then((t) => {
        const r = (t.rooms || []).find((x) => x.room_id === ci.room_id);
        trust.textContent = `trust ${r ? r.score : t.initial_score} in ${roomName(ci.room_id)}`;
      })
      .catch((e) => (trust.textContent = `trust unavailable: ${message(e)}`));
  } else trust.textContent = "";
  detailState = h("p", { class: "state" });
  detailFlow = {
    urgency: h("dd", { class: "urgency" }),
    escalation: h("dd", { class: "escalation" }),
    approvals: approvalsPanel(),
    note: h("p", { class: "vote-note", role: "status" }),
  };
  form = decisionForm(id, (kind, after) => decided(id, kind, after), ci.context || {});
  detailContext = ci.context || {};
  thread = threadList(ci.messages || []);
  fill(
    detail,
    heading,
    h("h3", { class: "action", text: ci.action }),
    detailState,
    h(
      "dl",
      { class: "facts" },
      h("dt", { text: "Room" }), h("dd", { text: roomName(ci.room_id) }),
      h("dt", { text: "Agent" }), h("dd", {}, ci.agent_id ? h("a", { href: `#/agents/${enc(ci.agent_id)}`, title: ci.agent_id, text: agentName(ci.agent_id) }) : "—", " · ", trust),
      h("dt", { text: "Risk" }), h("dd", { text: ci.risk_level }),
      h("dt", { text: "Urgency" }), detailFlow.urgency,
      h("dt", { text: "Escalation" }), detailFlow.escalation,
      h("dt", { text: "Policy" }), h("dd", { text: ci.policy ? `${ci.policy.result}${ci.policy.rule_id ? ` (${ci.policy.rule_id})` : ""}: ${ci.policy.reason}` : "—" }),
      h("dt", { text: "Expires" }), h("dd", {}, ci.expires_at ? `${when(ci.expires_at)} · ` : "", h("span", { class: "left", "data-expires": ci.expires_at || "", text: timeLeft(ci.expires_at) }), ` (${ci.timeout_action})`),
      h("dt", { text: "Created" }), h("dd", {}, since(ci.created_at), ` · ${when(ci.created_at)}`),
    ),
    h("h4", { text: "Description" }),
    h("p", { class: "description", text: ci.description || "—" }),
    h("h4", { text: "Context" }),
    h("pre", { class: "json", text: json(ci.context || {}) }),
    detailFlow.approvals,
    detailFlow.note,
    form,
    h("h4", { text: "Thread" }),
    thread,
    h("p", {}, h("a", { href: "#/inbox", text: "Close details" })),
  );
  showState(ci);
  showFlow(ci);
  // Narrow screens stack the detail under the list: bring it into view.
  if (window.innerWidth < 900) detail.scrollIntoView({ block: "start" });
}

function showState(ci) {
  if (!detailState) return;
  const d = ci.decision;
  const needed = stillNeeded(ci);
  fill(detailState,
    ci.status === "pending" ? `Waiting for a decision${needed ? `: ${needed.toLowerCase()}` : ""}.`
      : `${ci.status}${d ? ` by ${personName(d.decided_by)}${d.reason ? `: ${d.reason}` : ""}` : ""}`,
    d && d.modifications ? diffList(ci.context || detailContext, d.modifications, "Modifications") : null);
  detailState.className = `state status-${ci.status}`;
}

/** The parts of the open detail that votes and escalations change. */
function showFlow(ci) {
  if (!detailFlow) return;
  detailFlow.urgency.textContent = ci.urgency;
  detailFlow.escalation.textContent = escalationText(ci, notified.get(ci.id));
  detailFlow.approvals.update(ci);
}

function decided(id, kind, ci) {
  // On a quorum, a vote that does not decide answers 200 with the check-in still pending: it
  // stays open (and in the inbox) with the vote shown.
  if (ci.status === "pending") return voted(id, kind, ci);
  const c = items.get(id);
  say(`${kind === "approve" ? "Approved" : kind === "reject" ? "Rejected" : "Modified"}: ${c ? c.action : ci.action}`);
  const vis = visible();
  const at = vis.findIndex((x) => x.id === id);
  gone(id);
  selected.delete(id);
  showState(ci);
  render();
  const next = vis[at + 1] || vis[at - 1];
  location.hash = next ? `#/check-ins/${enc(next.id)}` : "#/inbox";
}

function voted(id, kind, ci) {
  const needed = stillNeeded(ci);
  say(`Vote recorded (${kind}): ${ci.action}${needed ? ` · ${needed}` : ""}`);
  if (items.has(id)) items.set(id, ci);
  if (detailId === id) {
    showState(ci);
    showFlow(ci);
    detailFlow.note.textContent = `Your ${kind} vote is recorded; the check-in stays open${needed ? ` (${needed.toLowerCase()})` : ""}.`;
  }
  render();
}

function closeDetail() {
  detailId = null;
  detailFlow = null;
  form = null;
  thread = null;
  detailState = null;
  if (detail) {
    detail.hidden = true;
    fill(detail);
  }
}

// ---------------------------------------------------------------- live

onEvent(async (env) => {
  const c = env.data;
  if (!env.event.startsWith("checkin.") || !c) return;
  if (env.event === "checkin.message") {
    if (thread && c.check_in_id === detailId) thread.add(c);
    return;
  }
  if (!c.id) return;
  if (env.event === "checkin.escalated") notified.set(c.id, c.notify);
  if (c.id === detailId) {
    await knowPeople([...peopleOf(c), ...(Array.isArray(c.notify) ? c.notify : [])]);
    showState(c);
    showFlow(c);
    if (c.status !== "pending" && form) form.showError(`This check-in was ${c.status} elsewhere${c.decision ? ` by ${personName(c.decision.decided_by)}` : ""}.`);
  }
  if (c.direction !== "agent_to_human") return;
  overviewSoon();
  if (c.status === "pending") {
    await know(c.room_id, c.agent_id);
    items.set(c.id, c);
  } else {
    gone(c.id);
    nodes.get(c.id)?.remove();
    nodes.delete(c.id);
  }
  render();
});

onResync(() => root && reload().catch(() => {}));

setInterval(() => {
  if (!root) return;
  for (const el of document.querySelectorAll(".left[data-expires]")) el.textContent = timeLeft(el.dataset.expires || null);
}, 1000);

// ---------------------------------------------------------------- keyboard

function move(step) {
  const vis = visible();
  if (!vis.length) return;
  let i = vis.findIndex((c) => c.id === current);
  i = i < 0 ? (step > 0 ? 0 : vis.length - 1) : Math.min(vis.length - 1, Math.max(0, i + step));
  location.hash = `#/check-ins/${enc(vis[i].id)}`;
  nodes.get(vis[i].id)?.querySelector(".action").focus();
}

function onKey(e) {
  if (!root || e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName))) return;
  const k = e.key;
  if (k === "j") move(1);
  else if (k === "k") move(-1);
  else if (k === "o" || (k === "Enter" && !(t && ["A", "BUTTON", "SUMMARY"].includes(t.tagName)))) {
    // Enter on a link or a button does what it does; elsewhere it opens, as o does.
    if (!open()) return;
  } else if (k === "a" && form) form.act("approve");
  else if (k === "r" && form) {
    form.reasonField.focus();
    say("Type the reason, then press Reject.");
  } else if (k === "m" && form) form.act("modify");
  else if (k === "x" && current && nodes.get(current)) nodes.get(current).box.click();
  else if (k === "?") help();
  else return;
  e.preventDefault();
}

/** o / Enter: opens the check-in the keyboard is on (the first one if none). */
function open() {
  const vis = visible();
  if (!vis.length) return false;
  const c = vis.find((x) => x.id === current) || vis[0];
  location.hash = `#/check-ins/${enc(c.id)}`;
  nodes.get(c.id)?.querySelector(".action").focus();
  return true;
}

function help() {
  let dlg = document.getElementById("keys");
  if (!dlg) {
    const keys = [["j", "next check-in"], ["k", "previous check-in"], ["o or Enter", "open the check-in"], ["a", "approve"], ["r", "reject: focuses the reason, then press Reject"], ["m", "modify: opens the editor of the context"], ["x", "select for batch approve"], ["?", "this help"]];
    dlg = h("dialog", { id: "keys", "aria-labelledby": "keys-title" },
      h("h2", { id: "keys-title", text: "Keyboard shortcuts" }),
      h("dl", {}, keys.map(([key, what]) => [h("dt", {}, h("kbd", { text: key })), h("dd", { text: what })])),
      h("button", { type: "button", onclick: () => dlg.close() }, "Close"));
    document.body.append(dlg);
  }
  if (!dlg.open) dlg.showModal();
}

// ---------------------------------------------------------------- page

export async function show(main, params) {
  if (!root || !main.contains(root)) {
    nodes.clear();
    list = h("ul", { class: "items", "aria-label": "Pending check-ins" });
    filter = select([]);
    filter.addEventListener("change", () => {
      roomFilter = filter.value;
      render();
      loadOverview();
    });
    counts = h("span", { class: "count", role: "status" });
    batchError = errorLine();
    detail = h("section", { class: "detail", role: "region", "aria-labelledby": "detail-title", hidden: true });
    overview = { list: h("ul", { class: "overview", "aria-label": "Rooms" }) };
    const overviewSection = h("section", { class: "overview-section", "aria-labelledby": "overview-title" },
      h("h1", { id: "inbox-title", text: "Inbox" }),
      h("h2", { id: "overview-title", text: "Rooms" }),
      h("p", { class: "meta", text: "Pick a room to show only its check-ins; pick it again to show all." }),
      overview.list);
    root = h(
      "div",
      { class: "inbox-page" },
      overviewSection,
      h(
        "section",
        { class: "inbox", "aria-labelledby": "waiting-title" },
        h("h2", { id: "waiting-title", text: "Waiting for a decision" }),
        h("div", { class: "toolbar" }, field("Room", filter), counts,
          h("button", { type: "button", id: "approve-selected", onclick: approveSelected, disabled: true }, "Approve selected"),
          h("span", { id: "selected-count" }),
          h("button", { type: "button", class: "linkish", onclick: help, "aria-label": "Keyboard shortcuts" }, "?")),
        batchError,
        list,
      ),
      detail,
    );
    fill(main, root);
    document.addEventListener("keydown", onKey);
    await Promise.all([reload(), loadOverview()]);
  }
  if (params.id) await openDetail(params.id);
  else closeDetail();
}

export function hide() {
  document.removeEventListener("keydown", onKey);
  closeDetail();
  root = null;
  overview = null;
}
