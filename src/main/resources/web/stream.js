// ONE live connection per page: the org-wide SSE stream GET /v1/events (every room the human can
// see). EventSource resumes by itself with Last-Event-ID after a network drop; when it gives up
// (an HTTP error) we reopen with ?last_event_id= so nothing is missed, and resync when we had
// no id yet.

import { call, token, signedIn } from "./api.js";

export const EVENT_TYPES = [
  "checkin.created", "checkin.approved", "checkin.rejected", "checkin.modified",
  "checkin.expired", "checkin.withdrawn", "checkin.claimed", "checkin.released",
  "checkin.message", "checkin.help_requested", "checkin.submitted", "checkin.helper_joined",
  "checkin.vote", "checkin.escalated",
  "signal.broadcast", "watcher.triggered",
];

const handlers = new Set();
const resyncs = new Set();
let source = null;
let lastId = null;
let retry = null;
let stopped = true;

/** fn(envelope) for every event: {id, event, room_id, data, timestamp}. */
export function onEvent(fn) {
  handlers.add(fn);
  return () => handlers.delete(fn);
}

/** fn() when events may have been missed (first connect after a failure without an id). */
export function onResync(fn) {
  resyncs.add(fn);
  return () => resyncs.delete(fn);
}

export function connected() {
  return source !== null && source.readyState === EventSource.OPEN;
}

export function start() {
  stopped = false;
  open();
}

export function stop() {
  stopped = true;
  clearTimeout(retry);
  if (source) source.close();
  source = null;
}

function open() {
  if (stopped) return;
  const t = token();
  if (!signedIn()) return;
  // Signed in by the session cookie, the browser sends it with the stream by itself.
  const q = new URLSearchParams(t ? { access_token: t } : {});
  if (lastId !== null) q.set("last_event_id", String(lastId));
  const hadId = lastId !== null;
  const es = new EventSource(`/v1/events?${q}`);
  source = es;
  let opened = false;
  es.onopen = () => {
    if (!opened && !hadId && retry !== null) for (const fn of resyncs) fn();
    opened = true;
    document.documentElement.dataset.live = "on";
  };
  const deliver = (msg) => {
    let env;
    try {
      env = JSON.parse(msg.data);
    } catch (e) {
      return;
    }
    if (msg.lastEventId) lastId = Number(msg.lastEventId);
    else if (env && env.id) lastId = env.id;
    for (const fn of handlers) {
      try {
        fn(env);
      } catch (e) {
        console.error("event handler failed", e);
      }
    }
  };
  for (const type of EVENT_TYPES) es.addEventListener(type, deliver);
  es.onmessage = deliver;
  es.onerror = () => {
    document.documentElement.dataset.live = "off";
    if (es.readyState !== EventSource.CLOSED) return; // the browser reconnects by itself
    es.close();
    if (source === es) source = null;
    // Refused for good? A cheap authenticated call tells (a 401 there signs the human out).
    call("GET", "/v1/rooms?limit=1")
      .catch(() => {})
      .finally(() => {
        if (!stopped && signedIn()) retry = setTimeout(open, 2000);
      });
  };
}
