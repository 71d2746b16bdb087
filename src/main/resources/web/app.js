// The dashboard's entry point: sign-in (/#token=... or the form), the pages, and the one live
// connection (GET /v1/events) shared by every page.

import { token, setToken, clearToken, claims, onRefused, call, setSession, hasSession, signedIn } from "./api.js";
import { h, fill, field, say, tickTimes } from "./dom.js";
import * as store from "./store.js";
import * as stream from "./stream.js";
import * as inbox from "./inbox.js";
import * as tasks from "./tasks.js";
import * as rooms from "./rooms.js";
import * as agents from "./agents.js";
import * as audit from "./audit.js";
import * as notify from "./notify.js";
import * as historyPage from "./history.js";
import * as insights from "./insights.js";
import * as people from "./people.js";
import * as signin from "./signin.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const who = document.getElementById("who");
const signOutButton = document.getElementById("sign-out");
let page = null;
let expiryTimer = null;
let typedToken = "";

const ROUTES = [
  [/^#\/check-ins\/([^/]+)$/, inbox, (m) => ({ id: decodeURIComponent(m[1]) })],
  [/^#\/inbox$/, inbox, () => ({})],
  [/^#\/history\/([^/]+)$/, historyPage, (m) => ({ id: decodeURIComponent(m[1]) })],
  [/^#\/history$/, historyPage, () => ({})],
  [/^#\/insights$/, insights, () => ({})],
  [/^#\/tasks\/([^/]+)$/, tasks, (m) => ({ id: decodeURIComponent(m[1]) })],
  [/^#\/tasks$/, tasks, () => ({})],
  [/^#\/rooms\/([^/]+)$/, rooms, (m) => ({ room: decodeURIComponent(m[1]) })],
  [/^#\/rooms$/, rooms, () => ({})],
  [/^#\/agents\/([^/]+)$/, agents, (m) => ({ id: decodeURIComponent(m[1]) })],
  [/^#\/agents$/, agents, () => ({})],
  [/^#\/audit$/, audit, () => ({})],
  [/^#\/notifications$/, notify, () => ({})],
  [/^#\/people$/, people, () => ({})],
];

// Relative times ("5 m ago") stay current on every page.
setInterval(() => tickTimes(), 1000);

function signInPage(msg) {
  stream.stop();
  store.reset();
  if (page && page.hide) page.hide();
  page = null;
  nav.hidden = true;
  signOutButton.hidden = true;
  who.textContent = "";
  const input = h("input", { type: "password", name: "token", autocomplete: "off", spellcheck: "false", value: typedToken });
  input.addEventListener("input", () => (typedToken = input.value));
  const error = h("p", { class: "error", role: "alert", text: msg || "" });
  const form = h(
    "form",
    { class: "sign-in", "aria-labelledby": "sign-in-title" },
    h("h1", { id: "sign-in-title", text: "Sign in to Waitroom" }),
    h("p", {}, "Paste a human token (a JWT). On the server: ", h("code", { text: "java -jar waitroom.jar token --org ORG --sub YOU --link" }), " prints a link that signs you in directly."),
    field("Token", input),
    h("button", { type: "submit" }, "Sign in"),
    error,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const t = input.value.trim();
    if (!t) {
      error.textContent = "Paste a token first.";
      input.focus();
      return;
    }
    signIn(t, error);
  });
  fill(main, form);
  signin.offer(form);
  input.focus();
}

/** Checks the token with one API call, then keeps it in sessionStorage and opens the inbox. */
async function signIn(t, errorEl) {
  const c = claims(t);
  if (c && c.exp && c.exp * 1000 <= Date.now()) {
    clearToken();
    return signInPage("This token has expired. Mint a new one and sign in again.");
  }
  try {
    await call("GET", "/v1/rooms?limit=1", undefined, t);
  } catch (e) {
    clearToken();
    const text = e.status === 401 ? `This token was refused: ${e.apiMessage}` : `Cannot sign in: ${e.apiMessage || e.message}`;
    if (errorEl) errorEl.textContent = text;
    else signInPage(text);
    return;
  }
  setToken(t);
  typedToken = "";
  started();
}

/** Who is signed in and their role: the page hides what the role cannot do. */
async function whoAmI() {
  try {
    const me = (await call("GET", "/v1/me")).data;
    who.textContent = me.name || me.email || who.textContent;
    document.body.dataset.role = me.role;
  } catch (e) {
    // A refused credential signs out through onRefused.
  }
}

function started() {
  const c = claims() || {};
  who.textContent = c.name || c.sub || "";
  whoAmI();
  nav.hidden = false;
  signOutButton.hidden = false;
  clearTimeout(expiryTimer);
  if (c.exp) {
    const ms = c.exp * 1000 - Date.now();
    // setTimeout overflows past ~24.8 days; such tokens are checked by the server anyway.
    if (ms < 2 ** 31 - 1) expiryTimer = setTimeout(() => expired(), Math.max(0, ms));
  }
  stream.start();
  if (!location.hash || location.hash === "#" || location.hash.startsWith("#token=")) history.replaceState(null, "", "#/inbox");
  route();
}

function expired() {
  clearToken();
  signInPage("Your session has expired. Sign in again with a new token.");
}

onRefused((msg) => signInPage(`${msg} Sign in again.`));

async function route() {
  if (!signedIn()) return signInPage();
  const hash = location.hash || "#/inbox";
  for (const [re, mod, params] of ROUTES) {
    const m = hash.match(re);
    if (!m) continue;
    if (page !== mod && page && page.hide) page.hide();
    const first = page !== mod;
    page = mod;
    for (const a of nav.querySelectorAll("a")) {
      const on = hash.startsWith(a.getAttribute("href")) || (mod === inbox && a.getAttribute("href") === "#/inbox");
      if (on) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    try {
      await store.load();
      if (first) say("");
      await mod.show(main, params(m));
    } catch (e) {
      if (signedIn()) fill(main, h("p", { class: "error", role: "alert", text: e.apiMessage || e.message }));
    }
    return;
  }
  location.hash = "#/inbox";
}

window.addEventListener("hashchange", () => {
  if (location.hash.startsWith("#token=")) return boot();
  route();
});
signOutButton.addEventListener("click", () => {
  if (hasSession()) {
    fetch("/auth/logout", { method: "POST", headers: { "X-Requested-With": "waitroom" } }).catch(() => {});
  }
  delete document.body.dataset.role;
  clearToken();
  history.replaceState(null, "", "/");
  signInPage("Signed out.");
});

function boot() {
  const m = location.hash.match(/^#token=([^&]+)/);
  if (m) {
    // Out of the address bar (and history) before anything else can read or bookmark it.
    history.replaceState(null, "", location.pathname + location.search);
    return signIn(decodeURIComponent(m[1]));
  }
  if (token()) return started();
  // Signed in through the sign-in page (SSO, an e-mail link, an invitation)? The session cookie
  // answers /v1/me.
  call("GET", "/v1/me", undefined, null)
    .then(() => {
      setSession();
      started();
    })
    .catch(() => signInPage());
}

boot();
