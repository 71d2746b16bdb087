// Rooms and policies: create a room; edit its policy document beside the dry-run evaluator
// (POST /v1/rooms/:room/policies/evaluate); standing grants (grants.js); broadcast a signal;
// watchers and their deliveries.

import { all, get, post, put, enc } from "./api.js";
import { h, fill, field, select, errorLine, json, when, message, say } from "./dom.js";
import { roomList, agents, agentName, load } from "./store.js";
import { grantsSection } from "./grants.js";
import { membersPanel } from "./members.js";

const drafts = new Map(); // room id -> policy text being edited

function parseObject(text, name) {
  let v;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`${name} must be JSON: ${e.message}`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error(`${name} must be a JSON object.`);
  return v;
}

function listPage(main) {
  const name = h("input", { type: "text", name: "name", maxlength: 200 });
  const error = errorLine();
  const form = h("form", { class: "create-room needs-admin", "aria-label": "Create a room" },
    h("h2", { text: "Create a room" }), field("Name", name), h("button", { type: "submit" }, "Create room"), error);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.show(null);
    try {
      const r = await post("/v1/rooms", { name: name.value.trim() });
      await load(true);
      say(`Room created: ${r.name}`);
      location.hash = `#/rooms/${enc(r.id)}`;
    } catch (err) {
      error.show(err);
    }
  });
  fill(main, h("h1", { text: "Rooms" }), form,
    h("ul", { class: "rooms", "aria-label": "Rooms" }, roomList().map((r) =>
      h("li", {}, h("a", { href: `#/rooms/${enc(r.id)}`, text: r.name }), h("span", { class: "meta", text: ` ${r.slug}` })))));
}

async function roomPage(main, id) {
  const room = await get(`/v1/rooms/${enc(id)}`);
  // --- policy editor
  const editor = h("textarea", { rows: 18, class: "mono", name: "policies", spellcheck: "false", value: drafts.get(room.id) ?? json(room.policies) });
  editor.addEventListener("input", () => drafts.set(room.id, editor.value));
  const saveError = errorLine();
  const save = h("button", { type: "button", class: "needs-admin" }, "Save policy");
  save.addEventListener("click", async () => {
    saveError.show(null);
    try {
      const after = await put(`/v1/rooms/${enc(room.id)}/policies`, parseObject(editor.value, "The policy document"));
      drafts.delete(room.id);
      editor.value = json(after.policies);
      say("Policy saved.");
    } catch (e) {
      saveError.show(e);
    }
  });
  // --- dry run
  const action = h("input", { type: "text", name: "dry-action", value: "Deploy to production" });
  const risk = select(["low", "medium", "high", "critical"], "medium");
  const urgency = select(["low", "normal", "high", "urgent"], "normal");
  const agent = select([["", "no agent (initial trust)"], ...[...agents.values()].map((a) => [a.id, a.name])]);
  const context = h("textarea", { rows: 3, class: "mono", name: "dry-context", value: "{}" });
  const useDraft = h("input", { type: "checkbox", checked: true, id: "use-draft" });
  const result = h("output", { class: "result", "aria-live": "polite" });
  const evalError = errorLine();
  const evaluate = h("button", { type: "button" }, "Evaluate");
  evaluate.addEventListener("click", async () => {
    evalError.show(null);
    fill(result);
    try {
      const body = { action: action.value, risk_level: risk.value, urgency: urgency.value, context: parseObject(context.value, "Context") };
      if (agent.value) body.agent_id = agent.value;
      if (useDraft.checked) body.policies = parseObject(editor.value, "The policy document");
      const r = await post(`/v1/rooms/${enc(room.id)}/policies/evaluate`, body);
      fill(result, h("dl", { class: "facts" },
        h("dt", { text: "Result" }), h("dd", { text: r.result }),
        h("dt", { text: "Status" }), h("dd", { text: r.status }),
        h("dt", { text: "Rule" }), h("dd", { text: r.rule_id || "—" }),
        h("dt", { text: "Reason" }), h("dd", { text: r.reason }),
        h("dt", { text: "Trust" }), h("dd", { text: String(r.trust_score) }),
        h("dt", { text: "Timeout" }), h("dd", { text: `${r.timeout_minutes} min, then ${r.timeout_action}` })));
    } catch (e) {
      evalError.show(e);
    }
  });
  // --- signal
  const sigType = h("input", { type: "text", name: "signal-type" });
  const payload = h("textarea", { rows: 3, class: "mono", name: "signal-payload", value: "{}" });
  const sigError = errorLine();
  const broadcast = h("button", { type: "button" }, "Broadcast signal");
  broadcast.addEventListener("click", async () => {
    sigError.show(null);
    try {
      const s = await post(`/v1/rooms/${enc(room.id)}/signal`, { type: sigType.value.trim(), payload: parseObject(payload.value, "Payload") });
      say(`Signal broadcast: ${s.type}`);
    } catch (e) {
      sigError.show(e);
    }
  });
  // --- watchers
  const watchers = h("ul", { class: "watchers", "aria-label": "Watchers" }, h("li", { text: "Loading…" }));
  all(`/v1/rooms/${enc(room.id)}/watchers`).then((ws) => fill(watchers, ws.length ? ws.map(watcherItem) : h("li", { class: "empty", text: "No watchers." })))
    .catch((e) => fill(watchers, h("li", { class: "error", text: message(e) })));

  fill(main,
    h("p", {}, h("a", { href: "#/rooms", text: "All rooms" })),
    h("h1", { text: room.name }),
    h("p", { class: "meta", text: `${room.slug} · ${room.id}${room.description ? ` · ${room.description}` : ""}` }),
    h("div", { class: "split" },
      h("section", { "aria-label": "Policy" }, h("h2", { text: "Policy" }),
        field("Policy document", editor, "Rules, defaults and trust thresholds, as JSON."), save, saveError),
      h("section", { "aria-label": "Dry run" }, h("h2", { text: "Dry run" }),
        field("Action", action), field("Risk level", risk), field("Urgency", urgency), field("Agent", agent), field("Context", context),
        h("div", { class: "check" }, useDraft, h("label", { for: "use-draft", text: "Evaluate the draft in the editor (not the saved policy)" })),
        evaluate, evalError, result)),
    membersPanel(room),
    grantsSection(room),
    h("section", { "aria-label": "Signal", class: "needs-approver" }, h("h2", { text: "Broadcast a signal" }),
      field("Signal type", sigType), field("Payload", payload), broadcast, sigError),
    h("section", { "aria-label": "Watchers" }, h("h2", { text: "Watchers" }), watchers));
}

function watcherItem(w) {
  const out = h("div");
  const btn = h("button", { type: "button", "aria-label": `Deliveries of ${w.id}` }, "Deliveries");
  btn.addEventListener("click", async () => {
    try {
      const ds = await all(`/v1/watchers/${enc(w.id)}/deliveries`, 200);
      fill(out, ds.length
        ? h("table", {}, h("thead", {}, h("tr", {}, ["Event", "Attempt", "Status", "Code", "Error", "When"].map((t) => h("th", { text: t })))),
          h("tbody", {}, ds.map((d) => h("tr", {}, [d.event || d.event_id, d.attempt, d.status, d.response_status ?? "", d.error || "", when(d.created_at)].map((t) => h("td", { text: t }))))))
        : h("p", { text: "No deliveries yet." }));
    } catch (e) {
      fill(out, h("p", { class: "error", role: "alert", text: message(e) }));
    }
  });
  return h("li", {}, h("strong", { text: agentName(w.agent_id) }),
    h("span", { class: "meta", text: ` ${w.event_types.length ? w.event_types.join(", ") : "every event"} → ${w.webhook_url || "no webhook"}` }),
    " ", btn, out);
}

export async function show(main, params) {
  if (params.room) await roomPage(main, params.room);
  else listPage(main);
}
