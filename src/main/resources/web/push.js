// Browser side of Waitroom's Web Push: register /sw.js, subscribe with the server's VAPID key and
// hand the subscription to POST /v1/push/subscriptions. Every call takes the human's JWT.
//
//   import { pushSupported, enablePush, disablePush } from "/push.js";
//   if (pushSupported()) await enablePush(token, "all");        // or ["rm_...", "deployments"]

const SUBSCRIPTION_ID = "waitroom.push.subscription";

export function pushSupported() {
  return (
    typeof navigator !== "undefined" &&
    "serviceWorker" in navigator &&
    typeof window !== "undefined" &&
    "PushManager" in window &&
    "Notification" in window
  );
}

async function api(token, method, path, body) {
  const res = await fetch(path, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      "X-Requested-With": "waitroom",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(json?.error?.message || `${method} ${path} answered ${res.status}`);
    err.status = res.status;
    err.field = json?.error?.details?.field;
    throw err;
  }
  return json.data;
}

function keyBytes(b64url) {
  const b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/**
 * Asks for permission, subscribes this browser and registers it for `rooms` (an array of room
 * ids or slugs, or "all"). Resolves with the server's subscription ({id: "psub_...", ...}).
 */
export async function enablePush(token, rooms = "all") {
  if (!pushSupported()) throw new Error("this browser cannot receive push notifications");
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new Error("notifications were not allowed");
  const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  await navigator.serviceWorker.ready;
  const { public_key } = await api(token, "GET", "/v1/push/vapid-public-key");
  let subscription = await registration.pushManager.getSubscription();
  if (subscription) {
    // A subscription made with another key (the server's keys changed) cannot be reused.
    const current = subscription.options?.applicationServerKey;
    const wanted = keyBytes(public_key);
    const same =
      current && new Uint8Array(current).length === wanted.length &&
      new Uint8Array(current).every((b, i) => b === wanted[i]);
    if (!same) {
      await subscription.unsubscribe();
      subscription = null;
    }
  }
  if (!subscription) {
    subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(public_key),
    });
  }
  const saved = await api(token, "POST", "/v1/push/subscriptions", {
    ...subscription.toJSON(),
    rooms,
  });
  localStorage.setItem(SUBSCRIPTION_ID, saved.id);
  return saved;
}

/** Removes this browser's subscription, on the server and in the browser. */
export async function disablePush(token) {
  const id = localStorage.getItem(SUBSCRIPTION_ID);
  localStorage.removeItem(SUBSCRIPTION_ID);
  if (id) {
    try {
      await api(token, "DELETE", `/v1/push/subscriptions/${encodeURIComponent(id)}`);
    } catch (e) {
      if (e.status !== 404) throw e; // already gone (removed elsewhere, or by the push service)
    }
  }
  if (!pushSupported()) return;
  const registration = await navigator.serviceWorker.getRegistration("/");
  const subscription = registration && (await registration.pushManager.getSubscription());
  if (subscription) await subscription.unsubscribe();
}
