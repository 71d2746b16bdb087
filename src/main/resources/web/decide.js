// The decision form of a check-in or a submitted task: Reason, the modification editor, and the
// buttons Approve / Reject / Modify. Modify edits the check-in's context as a form (one labelled
// input per top-level field, plus "Add field"), shows the diff ("seats: 50 → 40") as the human
// types, and sends only the changed and added fields as `modifications`; a raw JSON mode stays.
// Input is checked before anything is sent, and nothing typed is lost on a refusal (the fields are
// only cleared after a decision succeeded).

import { post, enc } from "./api.js";
import { h, fill, field, errorLine, message } from "./dom.js";

const drafts = new Map(); // check-in id -> {reason, mods, raw, values, added}

/** A value as the diff shows it: strings as they are, everything else as JSON. */
export function show(v) {
  if (v === undefined) return "(none)";
  return typeof v === "string" ? v : JSON.stringify(v);
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The lines of a modification against the context it modifies: [{key, from, to, added}], in the
 * modification's order. Used before sending and on the detail of a modified check-in.
 */
export function diff(context, modifications) {
  const ctx = context || {};
  return Object.keys(modifications || {})
    .filter((k) => !same(ctx[k], modifications[k]))
    .map((k) => ({ key: k, from: ctx[k], to: modifications[k], added: !(k in ctx) }));
}

/** The diff as a list ("seats: 50 → 40", "note: (added) ship it"). */
export function diffList(context, modifications, label = "Changes") {
  const lines = diff(context, modifications);
  const ul = h("ul", { class: "diff", "aria-label": label });
  if (!lines.length) ul.append(h("li", { class: "empty", text: "No changes yet." }));
  for (const l of lines) {
    ul.append(h("li", { class: l.added ? "added" : "changed" },
      h("strong", { text: l.key }), ": ",
      l.added ? h("span", { class: "tag", text: "(added) " }) : [h("del", { text: show(l.from) }), " → "],
      h("ins", { text: show(l.to) })));
  }
  return ul;
}

/** The scalar strings of every array in the context: a field whose value is one of them is an enum. */
function enumsOf(context) {
  const lists = [];
  for (const v of Object.values(context)) {
    if (Array.isArray(v) && v.length > 1 && v.every((x) => typeof x === "string")) lists.push(v);
  }
  return (value) => lists.find((l) => l.includes(value)) || null;
}

/** Parses what a human typed into an "Add field" value: JSON when it is JSON, else the text. */
function typed(text) {
  const t = text.trim();
  if (t === "") return "";
  try {
    return JSON.parse(t);
  } catch (e) {
    return text;
  }
}

/**
 * The form editor over `context`: .changes() answers {modifications} or {error, focus}; calls
 * `changed()` on every edit.
 */
function contextEditor(context, draft, changed) {
  const rows = [];
  const enumOf = enumsOf(context);
  const list = h("div", { class: "ctx-fields" });
  for (const [key, value] of Object.entries(context)) {
    const saved = draft.values[key];
    let input;
    let read;
    const label = key;
    if (typeof value === "boolean") {
      input = h("input", { type: "checkbox", name: `ctx-${key}`, checked: saved !== undefined ? saved : value });
      read = () => ({ value: input.checked });
      input.addEventListener("change", () => { draft.values[key] = input.checked; changed(); });
      const id = `ctx-${rows.length}-${Math.random().toString(36).slice(2, 7)}`;
      input.id = id;
      list.append(h("div", { class: "check" }, input, h("label", { for: id, text: label })));
      rows.push({ key, read, input });
      continue;
    }
    if (typeof value === "number") {
      input = h("input", { type: "number", step: "any", name: `ctx-${key}`, value: saved !== undefined ? saved : String(value) });
      read = () => {
        const t = input.value.trim();
        if (t === "" || Number.isNaN(Number(t))) return { error: `${key} must be a number.` };
        return { value: Number(t) };
      };
    } else if (typeof value === "string" && enumOf(value)) {
      input = h("select", { name: `ctx-${key}` });
      for (const o of enumOf(value)) input.append(h("option", { value: o, text: o }));
      input.value = saved !== undefined ? saved : value;
      read = () => ({ value: input.value });
    } else if (typeof value === "string" || value === null) {
      input = h("input", { type: "text", name: `ctx-${key}`, value: saved !== undefined ? saved : value ?? "" });
      read = () => (value === null && input.value === "" ? { value: null } : { value: input.value });
    } else {
      // Nested objects and arrays: a small JSON field.
      input = h("textarea", { rows: 2, class: "mono", name: `ctx-${key}`, value: saved !== undefined ? saved : JSON.stringify(value) });
      read = () => {
        try {
          return { value: JSON.parse(input.value) };
        } catch (e) {
          return { error: `${key} must be JSON: ${e.message}` };
        }
      };
    }
    input.addEventListener("input", () => { draft.values[key] = input.value; changed(); });
    input.addEventListener("change", () => { draft.values[key] = input.value; changed(); });
    list.append(field(label, input, typeof value === "object" && value !== null ? "JSON" : null));
    rows.push({ key, read, input });
  }
  if (!rows.length) list.append(h("p", { class: "meta", text: "The check-in has no context: add the fields the agent should use." }));

  // Added fields: a name and a value each.
  const addedBox = h("div", { class: "ctx-added" });
  const added = [];
  function addRow(name = "", value = "") {
    const n = h("input", { type: "text", name: "new-field-name", value: name, autocomplete: "off" });
    const v = h("input", { type: "text", name: "new-field-value", value, autocomplete: "off" });
    const entry = { n, v };
    const remove = h("button", { type: "button", class: "linkish", "aria-label": "Remove this new field" }, "Remove");
    const row = h("div", { class: "added-row" }, field("New field name", n), field("New field value", v, "Text, or JSON (40, true, {…})"), remove);
    remove.addEventListener("click", () => {
      added.splice(added.indexOf(entry), 1);
      row.remove();
      save();
      changed();
    });
    for (const el of [n, v]) el.addEventListener("input", () => { save(); changed(); });
    added.push(entry);
    addedBox.append(row);
    return n;
  }
  function save() {
    draft.added = added.map((a) => [a.n.value, a.v.value]);
  }
  for (const [n, v] of draft.added) addRow(n, v);
  const addButton = h("button", { type: "button", class: "linkish" }, "Add field");
  addButton.addEventListener("click", () => {
    addRow().focus();
    save();
  });

  const el = h("div", { class: "ctx-editor" }, list, addedBox, addButton);
  el.changes = () => {
    const mods = {};
    for (const r of rows) {
      const got = r.read();
      if (got.error) return { error: got.error, focus: r.input };
      if (!same(got.value, context[r.key])) mods[r.key] = got.value;
    }
    for (const a of added) {
      const name = a.n.value.trim();
      if (!name && !a.v.value.trim()) continue;
      if (!name) return { error: "A new field needs a name.", focus: a.n };
      if (name in context || name in mods) return { error: `${name} is already a field: change it above.`, focus: a.n };
      mods[name] = typed(a.v.value);
    }
    return { modifications: mods };
  };
  el.focusFirst = () => (rows[0] ? rows[0].input : addButton).focus();
  return el;
}

/**
 * Builds the form for check-in `id` whose context is `context`; `done(kind, checkIn)` runs after a
 * successful decision. Returns the element, with .act(kind) for keyboard shortcuts.
 */
export function decisionForm(id, done, context = {}) {
  const ctx = context && typeof context === "object" && !Array.isArray(context) ? context : {};
  const draft = drafts.get(id) || { reason: "", mods: "", raw: false, values: {}, added: [], open: false };
  drafts.set(id, draft);
  const reason = h("textarea", { rows: 2, name: "reason", value: draft.reason });
  reason.addEventListener("input", () => (draft.reason = reason.value));
  const mods = h("textarea", {
    rows: 3,
    name: "modifications",
    class: "mono",
    placeholder: '{"target": "staging"}',
    value: draft.mods,
  });
  const diffBox = h("div", { class: "diff-box", role: "status", "aria-live": "polite" });
  const error = errorLine();
  let busy = false;

  const editor = contextEditor(ctx, draft, () => showDiff());
  const rawBox = h("div", { class: "raw" }, field("Modifications (JSON)", mods, "Only the fields to change, as a JSON object."));
  mods.addEventListener("input", () => {
    draft.mods = mods.value;
    showDiff();
  });
  const formMode = h("button", { type: "button", class: "linkish", "aria-pressed": "true" }, "Form");
  const rawMode = h("button", { type: "button", class: "linkish", "aria-pressed": "false" }, "Raw JSON");
  const panel = h("fieldset", { class: "modify-panel" },
    h("legend", { text: "Modify values" }),
    h("div", { class: "buttons", role: "group", "aria-label": "Editor" }, formMode, rawMode),
    editor, rawBox,
    h("h5", { text: "What Modify sends" }),
    diffBox);
  const details = h("details", { class: "modify" }, h("summary", { text: "Modify values…" }), panel);
  details.open = draft.open;
  details.addEventListener("toggle", () => (draft.open = details.open));

  function setMode(raw) {
    if (raw && !mods.value.trim()) {
      const c = editor.changes();
      if (c.modifications && Object.keys(c.modifications).length) mods.value = JSON.stringify(c.modifications, null, 2);
      draft.mods = mods.value;
    }
    draft.raw = raw;
    editor.hidden = raw;
    rawBox.hidden = !raw;
    formMode.setAttribute("aria-pressed", String(!raw));
    rawMode.setAttribute("aria-pressed", String(raw));
    showDiff();
  }
  formMode.addEventListener("click", () => setMode(false));
  rawMode.addEventListener("click", () => setMode(true));

  /** {modifications} from the open mode, or {error, focus}. */
  function modifications() {
    if (!draft.raw) return editor.changes();
    let parsed;
    try {
      parsed = JSON.parse(mods.value);
    } catch (e) {
      return { error: `Modifications must be a JSON object: ${e.message}`, focus: mods };
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      return { error: "Modifications must be a JSON object, like {\"target\": \"staging\"}.", focus: mods };
    }
    return { modifications: parsed };
  }

  function showDiff() {
    const m = modifications();
    if (m.error) fill(diffBox, h("p", { class: "meta", text: m.error }));
    else fill(diffBox, diffList(ctx, m.modifications, "Changes to send"));
  }

  async function act(kind) {
    if (busy) return;
    error.show(null);
    const r = reason.value.trim();
    const body = {};
    if (r) body.reason = r;
    if (kind === "modify" && !details.open) {
      // The first Modify opens the editor: the human sees what will be sent before it is.
      details.open = true;
      if (draft.raw) mods.focus();
      else editor.focusFirst();
      showDiff();
      return;
    }
    if (kind !== "approve" && !r) {
      error.show(`A reason is required to ${kind}.`);
      reason.focus();
      return;
    }
    if (kind === "modify") {
      const m = modifications();
      if (m.error) {
        error.show(m.error);
        m.focus?.focus();
        return;
      }
      if (!Object.keys(m.modifications).length && !draft.raw) {
        error.show("Change a value or add a field before you modify.");
        editor.focusFirst();
        return;
      }
      body.modifications = m.modifications;
    }
    busy = true;
    form.setAttribute("aria-busy", "true");
    try {
      const ci = await post(`/v1/check-ins/${enc(id)}/${kind}`, body);
      drafts.delete(id);
      reason.value = "";
      mods.value = "";
      done(kind, ci);
    } catch (e) {
      error.show(e);
    } finally {
      busy = false;
      form.removeAttribute("aria-busy");
    }
  }

  const form = h(
    "form",
    { class: "decide needs-approver", onsubmit: (e) => e.preventDefault() },
    field("Reason", reason, "Required to reject or modify."),
    details,
    h(
      "div",
      { class: "buttons" },
      h("button", { type: "button", class: "approve", onclick: () => act("approve") }, "Approve"),
      h("button", { type: "button", class: "reject", onclick: () => act("reject") }, "Reject"),
      h("button", { type: "button", class: "modify", onclick: () => act("modify") }, "Modify"),
    ),
    error,
  );
  setMode(draft.raw);
  form.act = act;
  form.reasonField = reason;
  form.showError = (e) => error.show(message(e));
  return form;
}

export function forget(id) {
  drafts.delete(id);
}
