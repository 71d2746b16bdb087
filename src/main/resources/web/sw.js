// Waitroom service worker: shows a notification for each Web Push message about a check-in that
// waits for a human, lets the human decide from the notification's buttons, and replaces the
// notification once the check-in is decided anywhere, so a phone never offers a stale decision.
//
// Push payload contract (JSON; unknown fields are ignored; all text is shown as plain text):
//
//   Pending or escalated check-in:
//     {type: "checkin.pending" | "checkin.escalated", check_in_id, room_id, room, action,
//      risk_level, urgency, agent_id, url: "/#/check-ins/<id>",
//      escalation_level,                  (escalated only: notifies again on the same tag)
//      tag: "ci-<check_in_id>",           (optional; older servers: the tag is check_in_id)
//      title, body,                       (optional; else made from room, risk, action)
//      actions: [{action: "approve" | "reject" | "review", title: "Approve" | "Reject…" | "Review",
//                 url: "<absolute action link>", post: true | false}]}       (optional)
//     The first two actions become the notification's buttons (browsers show at most two); the
//     list is kept in the notification's data.
//
//   Decided elsewhere:
//     {type: "checkin.settled", check_in_id, tag, status, title, body}
//     Closes the notification with that tag (and one tagged with the bare check_in_id, from an
//     older server) and shows title/body in its place, silently (silent, renotify false).
//
// Clicks:
//   - A button whose action has post: true: the worker POSTs the action link itself
//     (application/x-www-form-urlencoded "reason=", Accept: application/json, credentials
//     omitted: the link is the credential, the worker holds no JWT). The server answers
//     {ok, status, message, page}. ok: a notification with the same tag titled `message`
//     ("Approved · Deploy v2.3.1"), whose click opens the check-in. Not ok (or no answer): a
//     notification "Not decided" saying `message`, whose click opens `page` (or the link).
//   - A button whose action has post: false (review; reject, which needs a reason): opens its url,
//     the link's confirmation page.
//   - The notification itself: focuses an open dashboard tab at data.url, or opens one.
//
// The handlers are named functions of the worker's global scope (pushed, clicked) so a test can
// drive the real worker (see src/test/node/browser/push-actions.mjs).

const MAX_ACTIONS = 2;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let p = {};
  try {
    p = event.data ? event.data.json() : {};
  } catch (e) {
    p = { action: event.data ? event.data.text() : "" };
  }
  event.waitUntil(pushed(p));
});

self.addEventListener("notificationclick", (event) => {
  event.waitUntil(clicked(event.notification, event.action));
});

/** Shows (or, for a settled check-in, replaces) the notification a payload asks for. */
async function pushed(p) {
  if (!p || typeof p !== "object") p = {};
  if (p.type === "checkin.settled") return settled(p);
  const { title, options } = pendingNotification(p);
  return self.registration.showNotification(title, options);
}

/** The title and options of a pending (or escalated) check-in's notification. */
function pendingNotification(p) {
  const risk = p.risk_level ? ` · ${p.risk_level} risk` : "";
  const escalated = p.type === "checkin.escalated";
  const where = p.room ? ` in ${p.room}` : "";
  const made = escalated
    ? `Escalated (level ${p.escalation_level})${where}${risk}`
    : p.room
      ? `Waiting${where}${risk}`
      : `Check-in waiting${risk}`;
  const actions = actionList(p.actions);
  const tag = text(p.tag) || text(p.check_in_id);
  return {
    title: text(p.title) || made,
    options: {
      body: text(p.body) || text(p.action) || "A check-in needs your decision",
      tag: tag || undefined,
      renotify: escalated && Boolean(tag),
      requireInteraction: p.urgency === "urgent" || p.risk_level === "high" || p.risk_level === "critical",
      actions: actions.slice(0, MAX_ACTIONS).map((a) => ({ action: a.action, title: a.title })),
      data: { url: text(p.url) || "/", check_in_id: text(p.check_in_id), actions },
    },
  };
}

/** The payload's well-formed actions: a name, a title and an http(s) link. */
function actionList(list) {
  if (!Array.isArray(list)) return [];
  const out = [];
  for (const a of list) {
    if (!a || typeof a !== "object" || !text(a.action) || !text(a.title)) continue;
    const url = link(a.url);
    if (!url) continue;
    out.push({ action: text(a.action), title: text(a.title), url, post: a.post === true });
  }
  return out;
}

/** A decided check-in: close what is shown under its tag, then say so quietly in its place. */
async function settled(p) {
  const tag = text(p.tag) || text(p.check_in_id);
  for (const t of new Set([tag, text(p.check_in_id)])) {
    if (!t) continue;
    for (const n of await self.registration.getNotifications({ tag: t })) n.close();
  }
  const status = text(p.status);
  const id = text(p.check_in_id);
  return self.registration.showNotification(text(p.title) || (status ? `Check-in ${status}` : "Check-in decided"), {
    body: text(p.body),
    tag: tag || undefined,
    silent: true,
    renotify: false,
    data: { url: text(p.url) || (id ? `/#/check-ins/${encodeURIComponent(id)}` : "/"), check_in_id: id, actions: [] },
  });
}

/**
 * A click on `notification` (`action`: the button's action name, "" for the notification
 * itself). `open` takes a URL to show in a window; it is the worker's own unless a test passes
 * its own (a window can only be opened while a real click is being handled).
 */
async function clicked(notification, action, open = focusOrOpen) {
  const data = notification.data || {};
  notification.close();
  const chosen = action ? (data.actions || []).find((a) => a.action === action) : null;
  if (!chosen) return open(data.url || "/");
  if (!chosen.post) return open(chosen.url);
  return decide(notification.tag, data, chosen);
}

/** POSTs an action link and shows its answer in place of the check-in's notification. */
async function decide(tag, data, chosen) {
  let answer;
  try {
    const res = await fetch(chosen.url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: "reason=",
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
    answer = await res.json().catch(() => null);
    if (!answer || typeof answer !== "object") {
      answer = { ok: false, message: `Waitroom answered ${res.status} without a result.` };
    } else if (!res.ok) {
      answer.ok = false;
    }
  } catch (e) {
    answer = { ok: false, message: "Waitroom could not be reached." };
  }
  const message = text(answer.message);
  if (answer.ok === true) {
    return self.registration.showNotification(message || "Done", {
      tag: tag || undefined,
      renotify: false,
      data: { url: data.url || "/", check_in_id: data.check_in_id, actions: [] },
    });
  }
  return self.registration.showNotification("Not decided", {
    body: message || "The decision was not made.",
    tag: tag || undefined,
    renotify: false,
    data: { url: link(answer.page) || chosen.url, check_in_id: data.check_in_id, actions: [] },
  });
}

/** Focuses a window of this origin at `url` (navigating it there), or opens one. */
async function focusOrOpen(url) {
  const target = new URL(url || "/", self.location.origin).href;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const c of windows) {
    if (new URL(c.url).origin !== self.location.origin) continue;
    // Only a same-origin target can be shown in the dashboard's tab.
    if (new URL(target).origin !== self.location.origin) break;
    await c.focus();
    if ("navigate" in c) {
      try {
        await c.navigate(target);
      } catch (e) {
        c.postMessage({ type: "waitroom.open", url: target });
      }
    }
    return;
  }
  await self.clients.openWindow(target);
}

function text(v) {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : "";
}

/** An absolute http(s) URL (relative ones resolved against this origin), or "". */
function link(v) {
  if (typeof v !== "string" || !v) return "";
  try {
    const u = new URL(v, self.location.origin);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : "";
  } catch (e) {
    return "";
  }
}
