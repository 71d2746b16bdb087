// The decision form of a check-in or a submitted task: Reason, Modifications, and the buttons
// Approve / Reject / Modify, which act at once. Input is checked before anything is sent, and
// nothing typed is lost on a refusal (the fields are only cleared after a decision succeeded).

import { post, enc } from "./api.js";
import { h, field, errorLine, message } from "./dom.js";

const drafts = new Map(); // check-in id -> {reason, mods}

/**
 * Builds the form for check-in `id`; `done(kind, checkIn)` runs after a successful decision.
 * Returns the element, with .act(kind) for keyboard shortcuts.
 */
export function decisionForm(id, done) {
  const draft = drafts.get(id) || { reason: "", mods: "" };
  drafts.set(id, draft);
  const reason = h("textarea", { rows: 2, name: "reason", value: draft.reason });
  const mods = h("textarea", {
    rows: 3,
    name: "modifications",
    class: "mono",
    placeholder: '{"target": "staging"}',
    value: draft.mods,
  });
  reason.addEventListener("input", () => (draft.reason = reason.value));
  mods.addEventListener("input", () => (draft.mods = mods.value));
  const error = errorLine();
  let busy = false;

  async function act(kind) {
    if (busy) return;
    error.show(null);
    const r = reason.value.trim();
    const body = {};
    if (r) body.reason = r;
    if (kind !== "approve" && !r) {
      error.show(`A reason is required to ${kind}.`);
      reason.focus();
      return;
    }
    if (kind === "modify") {
      let parsed;
      try {
        parsed = JSON.parse(mods.value);
      } catch (e) {
        error.show(`Modifications must be a JSON object: ${e.message}`);
        mods.focus();
        return;
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        error.show("Modifications must be a JSON object, like {\"target\": \"staging\"}.");
        mods.focus();
        return;
      }
      body.modifications = parsed;
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
    field("Modifications", mods, "A JSON object, sent with Modify."),
    h(
      "div",
      { class: "buttons" },
      h("button", { type: "button", class: "approve", onclick: () => act("approve") }, "Approve"),
      h("button", { type: "button", class: "reject", onclick: () => act("reject") }, "Reject"),
      h("button", { type: "button", class: "modify", onclick: () => act("modify") }, "Modify"),
    ),
    error,
  );
  form.act = act;
  form.showError = (e) => error.show(message(e));
  return form;
}

export function forget(id) {
  drafts.delete(id);
}
