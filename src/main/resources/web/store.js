// What several pages share: the org's rooms and agents (for names), loaded once and refreshed
// when an event names one we do not know yet.

import { all } from "./api.js";

export const rooms = new Map(); // id -> room
export const agents = new Map(); // id -> agent
let loading = null;

export function load(force = false) {
  if (loading && !force) return loading;
  loading = Promise.all([all("/v1/rooms"), all("/v1/agents")]).then(([rs, as]) => {
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
}

/** Loads again if the room or agent is unknown (created after the page loaded). */
export async function know(roomId, agentId) {
  if ((roomId && !rooms.has(roomId)) || (agentId && !agents.has(agentId))) await load(true);
}

export function roomName(id) {
  const r = rooms.get(id);
  return r ? r.name : id;
}

export function agentName(id) {
  if (!id) return "—";
  if (id.startsWith("usr_")) return "a human";
  const a = agents.get(id);
  return a ? a.name : id;
}

export function roomList() {
  return [...rooms.values()];
}
