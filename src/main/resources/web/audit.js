// The audit log: the org's (or a room's, or an agent's) rows, newest first, with the event-type
// filter and cursor paging (Next / Previous).

import { call, enc } from "./api.js";
import { h, fill, field, select, errorLine, json, when, message } from "./dom.js";
import { roomList, roomName, personName } from "./store.js";

/** The actor by name (the API's actor_name, else the names loaded with the page). */
function actor(r) {
  return r.actor_name || personName(r.actor_id);
}

const TARGET_PAGES = { check_in: "#/history/", room: "#/rooms/", agent: "#/agents/" };

/** The target as people say it: the check-in's action, the room's or agent's name; a link to it. */
function target(r) {
  const label = r.target_label || (r.target_type === "room" ? roomName(r.target_id) : r.target_type === "agent" ? personName(r.target_id) : null);
  const kind = r.target_type.replace("_", "-");
  const page = TARGET_PAGES[r.target_type];
  const text = label || r.target_id;
  return [`${kind} `, page ? h("a", { href: `${page}${enc(r.target_id)}`, title: r.target_id, text }) : h("span", { title: r.target_id, text })];
}

/** Renders a paged table of `path` (with `query` filters) into `el`. */
export function auditTable(el, path, query = {}, limit = 20) {
  const pages = [null]; // cursors of the pages seen so far
  let at = 0;
  const error = errorLine();
  const body = h("tbody");
  const prev = h("button", { type: "button" }, "Previous page");
  const next = h("button", { type: "button" }, "Next page");
  const where = h("span", { class: "meta" });
  async function loadPage() {
    error.show(null);
    const q = new URLSearchParams({ ...query, limit: String(limit) });
    if (pages[at]) q.set("cursor", pages[at]);
    try {
      const j = await call("GET", `${path}?${q}`);
      fill(body, j.data.length ? j.data.map((r) => h("tr", {},
        h("td", { text: when(r.created_at) }), h("td", { text: r.event_type }), h("td", {}, h("span", { title: r.actor_id, text: actor(r) }), ` (${r.actor_type})`),
        h("td", {}, target(r)), h("td", { text: r.room_id ? roomName(r.room_id) : "—" }),
        h("td", {}, h("details", {}, h("summary", { text: "snapshot" }), h("pre", { class: "json", text: json(r.snapshot) })))))
        : h("tr", {}, h("td", { colspan: 6, text: "No audit rows." })));
      pages[at + 1] = j.has_more ? j.cursor : undefined;
      prev.disabled = at === 0;
      next.disabled = !j.has_more;
      where.textContent = ` page ${at + 1}`;
    } catch (e) {
      error.show(e);
    }
  }
  prev.addEventListener("click", () => { if (at > 0) { at--; loadPage(); } });
  next.addEventListener("click", () => { if (pages[at + 1]) { at++; loadPage(); } });
  fill(el, h("div", { class: "table-wrap" }, h("table", { class: "audit" },
    h("thead", {}, h("tr", {}, ["When", "Event", "Actor", "Target", "Room", "Snapshot"].map((t) => h("th", { text: t })))), body)),
    h("div", { class: "pager" }, prev, next, where), error);
  return loadPage();
}

export async function show(main) {
  const type = h("input", { type: "text", name: "event_type", placeholder: "e.g. checkin.approved" });
  const room = select([["", "All rooms"], ...roomList().map((r) => [r.id, r.name])]);
  const size = select(["20", "50", "100"], "20");
  const out = h("div");
  const apply = () => {
    const q = type.value.trim() ? { event_type: type.value.trim() } : {};
    auditTable(out, room.value ? `/v1/rooms/${enc(room.value)}/audit` : "/v1/audit", q, Number(size.value));
  };
  const form = h("form", { class: "filters", "aria-label": "Audit filters" }, field("Event type", type), field("Room", room), field("Page size", size),
    h("button", { type: "submit" }, "Apply filters"));
  form.addEventListener("submit", (e) => { e.preventDefault(); apply(); });
  fill(main, h("h1", { text: "Audit" }), form, out);
  apply();
}
