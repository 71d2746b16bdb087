// The REST client and the session: the human's JWT lives in sessionStorage only; or, signed in
// through the sign-in page (SSO, an e-mail link, an invitation), an HttpOnly session cookie the
// script never sees (SESSION_KEY only remembers that the tab is signed in that way).

const KEY = "waitroom.token";
const SESSION_KEY = "waitroom.session";
const listeners = new Set();

export function token() {
  return sessionStorage.getItem(KEY);
}

export function setToken(t) {
  sessionStorage.setItem(KEY, t);
}

export function clearToken() {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(SESSION_KEY);
}

/** Signed in by the session cookie (no token in the page). */
export function setSession() {
  sessionStorage.setItem(SESSION_KEY, "1");
}

export function hasSession() {
  return !token() && sessionStorage.getItem(SESSION_KEY) === "1";
}

/** Signed in either way. */
export function signedIn() {
  return !!token() || hasSession();
}

/** Called with a message when the server refuses the token (expired, revoked, wrong secret). */
export function onRefused(fn) {
  listeners.add(fn);
}

export function refused(msg) {
  clearToken();
  for (const fn of listeners) fn(msg);
}

/** The JWT's claims (not verified here: the server does that on every call). */
export function claims(t = token()) {
  try {
    const part = t.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part + "=".repeat((4 - (part.length % 4)) % 4)), (c) =>
      c.charCodeAt(0),
    );
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    return null;
  }
}

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `The server answered ${status}`);
    this.status = status;
    this.code = e.code;
    this.apiMessage = e.message || `The server answered ${status}`;
    this.details = e.details || {};
  }
}

/** Calls the API; resolves with the whole JSON body ({data, cursor, has_more}); throws ApiError. */
export async function call(method, path, body, t = token()) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: {
        ...(t ? { Authorization: `Bearer ${t}` } : {}),
        // With the session cookie, the server takes state changes only with this header (CSRF).
        "X-Requested-With": "waitroom",
        // Labels the channel of a decision (decision.via = "dashboard"); it grants nothing.
        "X-Waitroom-Client": "dashboard",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    const err = new Error(`The server cannot be reached (${e.message}); nothing was changed.`);
    throw err;
  }
  const json = await res.json().catch(() => null);
  if (!res.ok) {
    const err = new ApiError(res.status, json);
    if (res.status === 401 && t === token() && (t || hasSession())) refused(`Your token was refused: ${err.apiMessage}`);
    throw err;
  }
  return json || {};
}

export const get = (path) => call("GET", path).then((j) => j.data);
export const post = (path, body = {}) => call("POST", path, body).then((j) => j.data);
export const put = (path, body) => call("PUT", path, body).then((j) => j.data);
export const del = (path) => call("DELETE", path).then((j) => j.data);

/** Every item of a paginated list (pages of 100, at most `max` items). */
export async function all(path, max = 2000) {
  const out = [];
  let cursor = null;
  const sep = path.includes("?") ? "&" : "?";
  do {
    const j = await call("GET", `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    out.push(...(j.data || []));
    cursor = j.has_more ? j.cursor : null;
  } while (cursor && out.length < max);
  return out;
}

export const enc = encodeURIComponent;
