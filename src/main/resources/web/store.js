// What several pages share: the org's rooms, agents and humans (for names), loaded once per page
// load and refreshed when an event names one we do not know yet. No page shows a bare usr_/ag_ id
// where a name exists; the id stays one click (or a hover) away.

import { all } from "./api.js";

export const rooms = new Map(); // id -> room
export const agents = new Map(); // id -> agent
export const humans = new Map(); // id -> {id, name, email}
let loading = null;

export function load(force = false) {
  if (loading && !force) return loading;
  // An older server without /v1/humans still shows the page (with ids for people).
  const people = all("/v1/humans").catch(() => []);
  loading = Promise.all([all("/v1/rooms"), all("/v1/agents"), people]).then(([rs, as, hs]) => {
    humans.clear();
    for (const u of hs) humans.set(u.id, u);
    rooms.clear();
    for (const r of rs) rooms.set(r.id, r);
    agents.clear();
    for (const a of as) agents.set(a.id, a);
  });
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

export function reset() {
  loading = null;
  rooms.clear();
  agents.clear();
  humans.clear();
}

/** Loads again if the room or agent is unknown (created after the page loaded). */
export async function know(roomId, agentId) {
  if ((roomId && !rooms.has(roomId)) || (agentId && !agents.has(agentId))) await load(true);
}

/** Loads again if a human is unknown (signed in for the first time after the page loaded). */
export async function knowPeople(ids) {
  if (ids.some((id) => id && id.startsWith("usr_") && !humans.has(id))) await load(true);
}

/** The humans a check-in names: who decided, who voted, the quorum's approvers. */
export function peopleOf(ci) {
  return [ci.decision && ci.decision.decided_by, ...(ci.votes || []).map((v) => v.voter), ...((ci.quorum && ci.quorum.approvers) || [])];
}

export function roomName(id) {
  const r = rooms.get(id);
  return r ? r.name : id;
}

export function agentName(id) {
  if (!id) return "—";
  if (id.startsWith("usr_")) return humanName(id);
  const a = agents.get(id);
  return a ? a.name : id;
}

/** A human's name, else their e-mail address, else "a human" (never the bare id). */
export function humanName(id) {
  const u = humans.get(id);
  return (u && (u.name || u.email)) || "a human";
}

const SYSTEM = {
  "system:policy": "room policy",
  "system:trust": "trust (auto-approved)",
  "system:grant": "standing grant",
  "system:timeout": "timeout",
  "system:escalation": "escalation",
};

/** Anyone who can act: a human, an agent, or the server itself (system:policy, ...). */
export function personName(id) {
  if (!id) return "—";
  if (id.startsWith("usr_")) return humanName(id);
  if (id.startsWith("system:")) return SYSTEM[id] || id.slice(7);
  return agentName(id);
}

export function humanList() {
  return [...humans.values()];
}

export function agentList() {
  return [...agents.values()];
}

export function roomList() {
  return [...rooms.values()];
}
