// History: decided check-ins and reviewed tasks, newest first, filtered by room, agent, outcome,
// who decided and a text search (GET /v1/check-ins, keyset-paged); each row opens the detail with
// its thread, votes and the decision's diff (#/history/<id>).

import { call, get, enc } from "./api.js";
import { h, fill, field, select, errorLine, json, when, since, duration, message } from "./dom.js";
import { roomList, roomName, agentName, personName, humanList, agentList, know, knowPeople, peopleOf } from "./store.js";
import { diffList } from "./decide.js";
import { threadList } from "./thread.js";
import { approvalsPanel } from "./votes.js";

export const OUTCOMES = ["approved", "rejected", "modified", "expired", "withdrawn"];
const DECIDED = OUTCOMES.join(",");

// The filters survive a visit to a detail and back.
const state = { room: "", agent: "", status: "", decidedBy: "", q: "", size: "20" };

function decider(c) {
  const d = c.decision;
  if (!d) return c.status === "withdrawn" ? "withdrawn by the agent" : "—";
  return d.decided_by_name || personName(d.decided_by);
}

const COLUMNS = ["Action", "Room", "Agent", "Outcome", "Decided by", "When", "Reason"];

function row(c) {
  const d = c.decision;
  const cells = [
    [h("a", { href: `#/history/${enc(c.id)}`, text: c.action }), c.direction === "human_to_agent" ? h("span", { class: "badge", text: "task" }) : null],
    roomName(c.room_id),
    c.agent_name || agentName(c.agent_id || c.claimed_by),
    h("span", { class: `status-${c.status}`, text: c.status }),
    h("span", { title: d ? d.decided_by : "", text: decider(c) }),
    d && d.decided_at ? since(d.decided_at) : since(c.updated_at),
    (d && d.reason) || "",
  ];
  // data-label: on a phone each row is a card whose cells name their column.
  return h("tr", { "data-id": c.id }, cells.map((x, i) => h("td", { "data-label": COLUMNS[i], class: i === 6 ? "reason" : null }, x)));
}

function filtersForm(apply) {
  const room = select([["", "All rooms"], ...roomList().map((r) => [r.id, r.name])], state.room);
  const agent = select([["", "All agents"], ...agentList().map((a) => [a.id, a.name])], state.agent);
  const status = select([["", "Any outcome"], ...OUTCOMES.map((o) => [o, o])], state.status);
  const people = humanList().map((u) => [u.id, u.name || u.email || "a human"]);
  const decidedBy = select([["", "Anyone"], ...people, ["system:policy", "room policy"], ["system:trust", "trust"],
    ["system:grant", "standing grant"], ["system:timeout", "timeout"]], state.decidedBy);
  const q = h("input", { type: "search", name: "q", value: state.q, placeholder: "words of the action or description" });
  const size = select(["20", "50", "100"], state.size);
  const form = h("form", { class: "filters history-filters", "aria-label": "History filters" },
    field("Search", q), field("Room", room), field("Agent", agent), field("Outcome", status),
    field("Decided by", decidedBy), field("Page size", size),
    h("div", { class: "buttons" }, h("button", { type: "submit" }, "Apply filters"),
      h("button", { type: "button", class: "linkish", onclick: () => {
        Object.assign(state, { room: "", agent: "", status: "", decidedBy: "", q: "" });
        for (const [el, v] of [[room, ""], [agent, ""], [status, ""], [decidedBy, ""], [q, ""]]) el.value = v;
        apply();
      } }, "Clear")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    Object.assign(state, { room: room.value, agent: agent.value, status: status.value, decidedBy: decidedBy.value, q: q.value.trim(), size: size.value });
    apply();
  });
  return form;
}

export async function show(main, params) {
  if (params.id) return showDetail(main, params.id);
  const error = errorLine();
  const body = h("tbody");
  const prev = h("button", { type: "button" }, "Previous page");
  const next = h("button", { type: "button" }, "Next page");
  const where = h("span", { class: "meta", role: "status" });
  let pages = [null];
  let at = 0;
  async function loadPage() {
    error.show(null);
    const q = new URLSearchParams({ status: state.status || DECIDED, limit: state.size });
    if (state.room) q.set("room", state.room);
    if (state.agent) q.set("agent_id", state.agent);
    if (state.decidedBy) q.set("decided_by", state.decidedBy);
    if (state.q) q.set("q", state.q);
    if (pages[at]) q.set("cursor", pages[at]);
    try {
      const j = await call("GET", `/v1/check-ins?${q}`);
      fill(body, j.data.length ? j.data.map(row) : h("tr", {}, h("td", { colspan: 7, text: "Nothing matches these filters." })));
      pages[at + 1] = j.has_more ? j.cursor : undefined;
      prev.disabled = at === 0;
      next.disabled = !j.has_more;
      where.textContent = `page ${at + 1} · ${j.data.length} shown`;
    } catch (e) {
      error.show(e);
    }
  }
  const apply = () => {
    pages = [null];
    at = 0;
    return loadPage();
  };
  prev.addEventListener("click", () => { if (at > 0) { at--; loadPage(); } });
  next.addEventListener("click", () => { if (pages[at + 1]) { at++; loadPage(); } });
  fill(main,
    h("h1", { text: "History" }),
    h("p", { class: "meta", text: "Decided check-ins and reviewed tasks, newest first." }),
    filtersForm(apply),
    error,
    h("div", { class: "table-wrap" }, h("table", { class: "history" },
      h("caption", { class: "visually-hidden", text: "Decided check-ins" }),
      h("thead", {}, h("tr", {}, COLUMNS.map((t) => h("th", { scope: "col", text: t })))),
      body)),
    h("div", { class: "pager" }, prev, next, where));
  await apply();
}

/** A decided check-in or task, read-only: facts, the decision and its diff, votes, thread. */
async function showDetail(main, id) {
  const heading = h("h1", { text: "Check-in" });
  fill(main, heading, h("p", { text: "Loading…" }));
  let ci;
  try {
    ci = await get(`/v1/check-ins/${enc(id)}`);
  } catch (e) {
    fill(main, heading, h("p", { class: "error", role: "alert", text: message(e) }));
    return;
  }
  await know(ci.room_id, ci.agent_id);
  await knowPeople(peopleOf(ci));
  const d = ci.decision;
  const agentId = ci.agent_id || ci.claimed_by;
  const votes = approvalsPanel();
  votes.update(ci);
  const took = d && d.decided_at ? (Date.parse(d.decided_at) - Date.parse(ci.created_at)) / 1000 : null;
  fill(main,
    h("p", {}, h("a", { href: "#/history", text: "← History" })),
    h("section", { class: "detail history-detail", "aria-labelledby": "history-title" },
      h("h1", { id: "history-title", class: "action", text: ci.action }),
      h("p", { class: `state status-${ci.status}` },
        d ? `${ci.status} by ${personName(d.decided_by)}${d.reason ? `: ${d.reason}` : ""}` : ci.status),
      d && d.modifications ? [h("h2", { text: "Modifications" }), diffList(ci.context, d.modifications, "Modifications")] : null,
      h("dl", { class: "facts" },
        h("dt", { text: "Room" }), h("dd", {}, h("a", { href: `#/rooms/${enc(ci.room_id)}`, text: roomName(ci.room_id) })),
        h("dt", { text: ci.direction === "human_to_agent" ? "Claimed by" : "Agent" }),
        h("dd", {}, agentId ? h("a", { href: `#/agents/${enc(agentId)}`, title: agentId, text: agentName(agentId) }) : "—"),
        h("dt", { text: "Risk" }), h("dd", { text: ci.risk_level }),
        h("dt", { text: "Policy" }), h("dd", { text: ci.policy ? `${ci.policy.result}${ci.policy.rule_id ? ` (${ci.policy.rule_id})` : ""}: ${ci.policy.reason}` : "—" }),
        h("dt", { text: "Created" }), h("dd", {}, since(ci.created_at), ` · ${when(ci.created_at)}`),
        h("dt", { text: "Decided" }), h("dd", {}, d && d.decided_at ? [since(d.decided_at), ` · ${when(d.decided_at)}`] : "—"),
        h("dt", { text: "Time to decision" }), h("dd", { text: duration(took) }),
        h("dt", { text: "Via" }), h("dd", { text: (d && d.via) || "—" }),
        h("dt", { text: "Id" }), h("dd", {}, h("code", { text: ci.id }))),
      h("h2", { text: "Description" }),
      h("p", { class: "description", text: ci.description || "—" }),
      h("h2", { text: "Context" }),
      h("pre", { class: "json", text: json(ci.context || {}) }),
      votes,
      h("h2", { text: "Thread" }),
      threadList(ci.messages || [])));
}
