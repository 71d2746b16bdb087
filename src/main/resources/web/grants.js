// Standing grants of a room (GET/POST /v1/rooms/:room/grants, DELETE .../grants/:id): the list
// with uses and state, a create form in the rule format (agent, action pattern, risk levels,
// urgency) and revoke. A refusal shows the API's message and leaves every typed value in place.

import { all, post, del, enc } from "./api.js";
import { h, fill, field, select, errorLine, when, message, say } from "./dom.js";
import { agents, agentName } from "./store.js";

const RISKS = ["low", "medium", "high", "critical"];
const URGENCIES = ["low", "normal", "high", "urgent"];

const anyOf = (v) => (Array.isArray(v) ? v : [v]);

/** One line for a grant's conditions, e.g. "agent deployer · action matches /^Restart / · risk low or medium". */
export function conditionsSummary(c) {
  const parts = [];
  if (!c) return "every check-in";
  if (c.agent_id != null) parts.push(`agent ${anyOf(c.agent_id).map(agentName).join(" or ")}`);
  if (c.action_matches != null) parts.push(`action matches /${c.action_matches}/`);
  if (c.action_contains != null) parts.push(`action contains ${anyOf(c.action_contains).map((s) => `"${s}"`).join(" or ")}`);
  if (c.risk_level != null) parts.push(`risk ${anyOf(c.risk_level).join(" or ")}`);
  if (c.urgency != null) parts.push(`urgency ${anyOf(c.urgency).join(" or ")}`);
  if (c.context != null) {
    for (const [path, v] of Object.entries(c.context)) parts.push(`context.${path} = ${anyOf(v).map((x) => JSON.stringify(x)).join(" or ")}`);
  }
  return parts.length ? parts.join(" · ") : "every check-in";
}

/** "live", "revoked", "expired" or "used up". */
export function grantState(g, now = Date.now()) {
  if (g.revoked_at) return "revoked";
  if (Date.parse(g.expires_at) <= now) return "expired";
  if (g.remaining_uses === 0) return "used up";
  return "live";
}

function uses(g) {
  const used = `${g.uses} ${g.uses === 1 ? "use" : "uses"}`;
  return g.max_uses == null ? `${used}, no limit` : `${used} of ${g.max_uses}, ${g.remaining_uses} left`;
}

function checks(legend, values) {
  const boxes = values.map((v) => h("input", { type: "checkbox", value: v }));
  const set = h("fieldset", {}, h("legend", { text: legend }),
    boxes.map((b) => h("label", { class: "check-inline" }, b, ` ${b.value}`)));
  set.checked = () => boxes.filter((b) => b.checked).map((b) => b.value);
  set.clear = () => boxes.forEach((b) => (b.checked = false));
  return set;
}

/** The "Standing grants" section of room `room` (a room object from the API). */
export function grantsSection(room) {
  const base = `/v1/rooms/${enc(room.id)}/grants`;
  const list = h("ul", { class: "grants", "aria-label": "Grants" }, h("li", { text: "Loading…" }));
  const listError = errorLine();

  async function refresh() {
    try {
      const gs = await all(base);
      fill(list, gs.length ? gs.map(grantItem) : h("li", { class: "empty", text: "No standing grants." }));
    } catch (e) {
      fill(list, h("li", { class: "error", text: message(e) }));
    }
  }

  function grantItem(g) {
    const st = grantState(g);
    const revoke = st === "revoked" ? null : h("button", { type: "button", class: "reject", "aria-label": `Revoke grant ${g.id}` }, "Revoke");
    revoke?.addEventListener("click", async () => {
      listError.show(null);
      revoke.disabled = true;
      try {
        await del(`${base}/${enc(g.id)}`);
        say(`Grant revoked: ${g.id}`);
      } catch (e) {
        listError.show(e);
      }
      await refresh();
    });
    return h(
      "li",
      { class: `grant grant-${st.replace(" ", "-")}`, "data-id": g.id },
      h("div", { class: "conditions", text: conditionsSummary(g.conditions) }),
      h("div", { class: "meta" },
        h("span", { class: "badge state", text: st === "revoked" ? `revoked ${when(g.revoked_at)}` : st }),
        h("span", { text: ` expires ${when(g.expires_at)} · ${uses(g)} · ${g.id}` })),
      g.reason ? h("p", { class: "reason", text: g.reason }) : null,
      revoke,
    );
  }

  // --- create
  const agent = select([["", "any agent"], ...[...agents.values()].map((a) => [a.id, a.name])]);
  const action = h("input", { type: "text", name: "grant-action", spellcheck: "false", class: "mono" });
  const risks = checks("Risk levels", RISKS);
  const urgencies = checks("Urgency", URGENCIES);
  const expires = h("input", { type: "datetime-local", name: "grant-expires" });
  const maxUses = h("input", { type: "text", name: "grant-max-uses", inputmode: "numeric" });
  const reason = h("textarea", { rows: 2, name: "grant-reason" });
  const formError = errorLine();
  const form = h("form", { class: "create-grant needs-admin", "aria-label": "Create a grant", novalidate: true },
    h("h3", { text: "Create a grant" }),
    field("Agent", agent),
    field("Action pattern", action, "A regular expression found anywhere in the action (anchor with ^ and $); empty: any action."),
    risks, urgencies,
    field("Expires at", expires, "Required, in the future and at most 30 days ahead (your local time)."),
    field("Max uses", maxUses, "Optional: the grant stops after this many approvals."),
    field("Reason", reason),
    h("button", { type: "submit" }, "Create grant"),
    formError);

  function body() {
    const conditions = {};
    if (agent.value) conditions.agent_id = agent.value;
    // A pattern is sent as typed: its spaces can matter ("^Restart ").
    if (action.value.trim()) conditions.action_matches = action.value;
    if (risks.checked().length) conditions.risk_level = risks.checked();
    if (urgencies.checked().length) conditions.urgency = urgencies.checked();
    if (!expires.value) throw new Error("Expires at is required (at most 30 days ahead).");
    const at = new Date(expires.value);
    if (Number.isNaN(at.getTime())) throw new Error("Expires at is not a valid date and time.");
    const b = { conditions, expires_at: at.toISOString() };
    const n = maxUses.value.trim();
    if (n) {
      if (!/^\d+$/.test(n) || Number(n) < 1) throw new Error("Max uses must be a whole number of at least 1.");
      b.max_uses = Number(n);
    }
    if (reason.value.trim()) b.reason = reason.value.trim();
    return b;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    formError.show(null);
    let b;
    try {
      b = body();
    } catch (err) {
      formError.show(err.message);
      return;
    }
    try {
      const g = await post(base, b);
      say(`Grant created: ${conditionsSummary(g.conditions)}`);
      form.reset();
      await refresh();
    } catch (err) {
      formError.show(err);
    }
  });

  refresh();
  return h("section", { "aria-label": "Standing grants" },
    h("h2", { text: "Standing grants" }),
    h("p", { class: "meta", text: "Approve matching check-ins without asking, until they expire, run out of uses or are revoked. Checked after forbid rules and before everything else." }),
    listError, list, form);
}
