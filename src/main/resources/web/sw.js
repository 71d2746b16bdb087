// Waitroom service worker: one notification per Web Push message (a check-in waiting for a
// human); a click focuses an open dashboard tab at the check-in, or opens one.
// The payload is JSON: {type, check_in_id, room_id, room, action, risk_level, urgency, url}; an
// escalation step (type "checkin.escalated") adds escalation_level and notifies again.

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let p = {};
  try {
    p = event.data ? event.data.json() : {};
  } catch (e) {
    p = { action: event.data ? event.data.text() : "" };
  }
  const risk = p.risk_level ? ` · ${p.risk_level} risk` : "";
  const escalated = p.type === "checkin.escalated";
  const where = p.room ? ` in ${p.room}` : "";
  const title = escalated
    ? `Escalated (level ${p.escalation_level})${where}${risk}`
    : p.room
      ? `Waiting${where}${risk}`
      : `Check-in waiting${risk}`;
  // Notification text is plain text: agent-written content is never interpreted as markup.
  const options = {
    body: String(p.action || "A check-in needs your decision"),
    tag: p.check_in_id || undefined,
    renotify: escalated,
    requireInteraction: p.urgency === "urgent" || p.risk_level === "high",
    data: { url: p.url || "/" },
  };
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || "/", self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const c of windows) {
        if (new URL(c.url).origin !== self.location.origin) continue;
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
    })(),
  );
});
