// Tiny DOM helpers. Text always goes in through text nodes / textContent: agent-written content
// (actions, descriptions, context, messages) can never become markup.

/**
 * h("button", {type: "button", onclick: fn, class: "x", "aria-label": "..."}, "text", child...)
 * Props starting with "on" are listeners; `text` sets textContent; everything else an attribute
 * (false/null/undefined leave it out, true sets it empty).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = String(v);
    else if (k === "value") el.value = v;
    else if (k === "checked") el.checked = Boolean(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let fieldSeq = 0;

/** A labelled field: {label, input} where input is an <input>, <textarea> or <select>. */
export function field(label, input, hint) {
  if (!input.id) input.id = `f${++fieldSeq}`;
  const hintEl = hint ? h("small", { id: `${input.id}-hint`, text: hint }) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: input.id, text: label }), input, hintEl);
}

export function select(options, value) {
  const s = h("select");
  for (const o of options) {
    const [v, label] = Array.isArray(o) ? o : [o, o];
    s.append(h("option", { value: v, text: label }));
  }
  if (value !== undefined) s.value = value;
  return s;
}

/** An error line (role=alert) that shows an API error's message, or nothing. */
export function errorLine() {
  const el = h("p", { class: "error", role: "alert" });
  el.show = (err) => {
    el.textContent = err ? message(err) : "";
  };
  return el;
}

export function message(err) {
  if (typeof err === "string") return err;
  if (err && err.apiMessage) return `${err.apiMessage}${err.status ? ` (${err.status})` : ""}`;
  return (err && err.message) || String(err);
}

export function json(value) {
  return JSON.stringify(value, null, 2);
}

/** "3 m 20 s left", "expired", or "" when there is no deadline. */
export function timeLeft(expiresAt, now = Date.now()) {
  if (!expiresAt) return "no expiry";
  const ms = Date.parse(expiresAt) - now;
  if (ms <= 0) return "expiring now";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s left`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${s % 60} s left`;
  const hrs = Math.floor(m / 60);
  if (hrs < 48) return `${hrs} h ${m % 60} m left`;
  return `${Math.floor(hrs / 24)} d left`;
}

export function when(ts) {
  if (!ts) return "";
  const d = new Date(ts);
  return d.toLocaleString();
}

/** Announces a short outcome in the page's status line (a polite live region). */
export function say(text) {
  const el = document.getElementById("status");
  if (el) el.textContent = text;
}

/** "just now", "42 s ago", "5 m ago", "3 h ago", "2 d ago" (or "in 5 m" for the future). */
export function ago(ts, now = Date.now()) {
  if (!ts) return "";
  const ms = now - Date.parse(ts);
  const s = Math.round(Math.abs(ms) / 1000);
  const text = s < 5 ? null : s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} m` : s < 172800 ? `${Math.floor(s / 3600)} h` : `${Math.floor(s / 86400)} d`;
  if (!text) return "just now";
  return ms >= 0 ? `${text} ago` : `in ${text}`;
}

/** A <time> that shows "5 m ago" and keeps it current (see tickTimes); the full date on hover. */
export function since(ts, prefix = "") {
  if (!ts) return h("span", { text: "—" });
  return h("time", { datetime: ts, "data-since": ts, "data-prefix": prefix, title: when(ts), text: `${prefix}${ago(ts)}` });
}

/** "4 s", "3 m 20 s", "2 h 5 m", "1 d 3 h": a duration in seconds, for people. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m${s % 60 ? ` ${s % 60} s` : ""}`;
  const hrs = Math.floor(m / 60);
  if (hrs < 48) return `${hrs} h${m % 60 ? ` ${m % 60} m` : ""}`;
  return `${Math.floor(hrs / 24)} d${hrs % 24 ? ` ${hrs % 24} h` : ""}`;
}

/** Refreshes every live relative time on the page (called once a second by the app). */
export function tickTimes(now = Date.now()) {
  for (const el of document.querySelectorAll("time[data-since]")) {
    const text = `${el.dataset.prefix || ""}${ago(el.dataset.since, now)}`;
    if (el.textContent !== text) el.textContent = text;
  }
}
