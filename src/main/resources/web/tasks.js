// Tasks: post one to a room, the board by status, a task's thread and participants, and the
// review (approve / reject / modify) of submitted work.

import { all, get, post, enc } from "./api.js";
import { h, fill, field, select, errorLine, json, when, message, say } from "./dom.js";
import { roomList, roomName, agentName, personName, know } from "./store.js";
import { decisionForm } from "./decide.js";
import { threadList } from "./thread.js";
import { onEvent } from "./stream.js";

const COLUMNS = [
  ["pending", "Pending", (s) => s === "pending"],
  ["in_progress", "In progress", (s) => s === "in_progress"],
  ["submitted", "Submitted", (s) => s === "submitted"],
  ["decided", "Decided", (s) => !["pending", "in_progress", "submitted"].includes(s)],
];
const tasks = new Map();
let root = null, board = null, detail = null, detailId = null, parts = null;
const draft = { room: "", action: "", description: "", risk: "medium" };

function card(t) {
  return h("li", { class: `card risk-${t.risk_level}`, "data-id": t.id },
    h("a", { class: "action", href: `#/tasks/${enc(t.id)}`, text: t.action }),
    h("div", { class: "meta" }, h("span", { text: roomName(t.room_id) }),
      h("span", { text: t.claimed_by ? `claimed by ${agentName(t.claimed_by)}` : "unclaimed" }),
      h("span", { class: "badge", text: t.status })));
}

function renderBoard() {
  if (!board) return;
  const sorted = [...tasks.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  fill(board, COLUMNS.map(([key, label, test]) => {
    const mine = sorted.filter((t) => test(t.status));
    return h("section", { class: `column col-${key}`, "aria-label": label },
      h("h2", { text: `${label} (${mine.length})` }),
      h("ul", {}, mine.length ? mine.map(card) : h("li", { class: "empty", text: "None." })));
  }));
}

async function reload() {
  const lists = await Promise.all(roomList().map((r) => all(`/v1/rooms/${enc(r.id)}/tasks`).catch(() => [])));
  tasks.clear();
  for (const t of lists.flat()) tasks.set(t.id, t);
  renderBoard();
}

function postForm() {
  const rooms = select(roomList().map((r) => [r.id, r.name]), draft.room || undefined);
  const action = h("input", { type: "text", name: "action", maxlength: 500, value: draft.action });
  const description = h("textarea", { rows: 2, name: "description", value: draft.description });
  const risk = select(["low", "medium", "high", "critical"], draft.risk);
  rooms.addEventListener("change", () => (draft.room = rooms.value));
  action.addEventListener("input", () => (draft.action = action.value));
  description.addEventListener("input", () => (draft.description = description.value));
  risk.addEventListener("change", () => (draft.risk = risk.value));
  const error = errorLine();
  const form = h("form", { class: "post-task needs-approver", "aria-label": "Post a task" },
    h("h2", { text: "Post a task" }),
    field("Room", rooms), field("Task", action), field("Description", description), field("Risk level", risk),
    h("button", { type: "submit" }, "Post task"), error);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.show(null);
    if (!rooms.value) return error.show("Create a room first (Rooms page).");
    const body = { action: action.value.trim(), risk_level: risk.value };
    if (description.value.trim()) body.description = description.value.trim();
    try {
      const t = await post(`/v1/rooms/${enc(rooms.value)}/tasks`, body);
      tasks.set(t.id, t);
      renderBoard();
      action.value = description.value = draft.action = draft.description = "";
      say(`Task posted: ${t.action}`);
    } catch (err) {
      error.show(err);
    }
  });
  return form;
}

function composer(id) {
  const body = h("textarea", { rows: 2, name: "message" });
  const type = select(["comment", "question", "escalation"]);
  const error = errorLine();
  const form = h("form", { class: "composer needs-approver", "aria-label": "Reply in the thread" },
    field("Message", body), field("Message type", type), h("button", { type: "submit" }, "Send"), error);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.show(null);
    if (!body.value.trim()) return error.show("Write a message first.");
    try {
      const m = await post(`/v1/check-ins/${enc(id)}/messages`, { body: body.value, message_type: type.value });
      parts.thread.add(m);
      body.value = "";
    } catch (err) {
      error.show(err);
    }
  });
  return form;
}

function renderInfo(t, participants) {
  const d = t.decision;
  fill(parts.info,
    h("dl", { class: "facts" },
      h("dt", { text: "Status" }), h("dd", { class: `status-${t.status}`, text: t.status }),
      h("dt", { text: "Room" }), h("dd", { text: roomName(t.room_id) }),
      h("dt", { text: "Claimed by" }), h("dd", { text: t.claimed_by ? agentName(t.claimed_by) : "nobody yet" }),
      h("dt", { text: "Help requested" }), h("dd", { text: t.help_requested ? "yes" : "no" }),
      h("dt", { text: "Decision" }), h("dd", { text: d ? `${d.type} by ${personName(d.decided_by)}${d.reason ? `: ${d.reason}` : ""}${d.modifications ? ` · ${JSON.stringify(d.modifications)}` : ""}` : "—" }),
      h("dt", { text: "Created" }), h("dd", { text: when(t.created_at) })),
    h("h3", { text: "Description" }), h("p", { class: "description", text: t.description || "—" }),
    h("h3", { text: "Context" }), h("pre", { class: "json", text: json(t.context || {}) }));
  if (participants) {
    fill(parts.people, participants.length
      ? participants.map((p) => h("li", { text: `${agentName(p.agent_id)} (${p.role})` }))
      : h("li", { class: "empty", text: "No participants yet." }));
  }
  parts.review.hidden = t.status !== "submitted";
}

async function openDetail(id) {
  detailId = id;
  detail.hidden = false;
  const heading = h("h2", { id: "task-title", text: "Task details" });
  fill(detail, heading, h("p", { text: "Loading…" }));
  let t;
  try {
    t = await get(`/v1/check-ins/${enc(id)}`);
  } catch (e) {
    return fill(detail, heading, h("p", { class: "error", role: "alert", text: message(e) }));
  }
  if (detailId !== id) return;
  await know(t.room_id, t.claimed_by);
  parts = {
    info: h("div"),
    people: h("ul", { class: "participants", "aria-label": "Participants" }),
    thread: threadList(t.messages || []),
    review: h("div", { class: "review" }, h("h3", { text: "Review the submitted work" }),
      decisionForm(id, (kind, after) => {
        say(`Task ${after.status}: ${after.action}`);
        tasks.set(after.id, after);
        renderBoard();
        renderInfo(after);
      }, t.context || {})),
  };
  fill(detail, heading, h("h3", { class: "action", text: t.action }), parts.info,
    h("h3", { text: "Participants" }), parts.people, parts.review,
    h("h3", { text: "Thread" }), parts.thread, composer(id),
    h("p", {}, h("a", { href: "#/tasks", text: "Close task" })));
  renderInfo(t, t.participants || []);
}

onEvent(async (env) => {
  const t = env.data;
  if (!root || !env.event.startsWith("checkin.") || !t) return;
  if (env.event === "checkin.message") {
    if (parts && t.check_in_id === detailId) parts.thread.add(t);
    return;
  }
  if (t.direction !== "human_to_agent") return;
  await know(t.room_id, t.claimed_by);
  tasks.set(t.id, t);
  renderBoard();
  if (parts && t.id === detailId) {
    const full = await get(`/v1/check-ins/${enc(t.id)}`).catch(() => null);
    if (full && detailId === t.id) renderInfo(full, full.participants || []);
  }
});

export async function show(main, params) {
  if (!root || !main.contains(root)) {
    board = h("div", { class: "board" });
    detail = h("section", { class: "detail", role: "region", "aria-labelledby": "task-title", hidden: true });
    root = h("div", { class: "tasks-page" }, h("h1", { text: "Tasks" }), postForm(), board, detail);
    fill(main, root);
    await reload();
  }
  if (params.id) await openDetail(params.id);
  else {
    detailId = null;
    parts = null;
    detail.hidden = true;
  }
}

export function hide() {
  root = null;
  parts = null;
  detailId = null;
}
