// Agents: register one (its key is shown once, with a copy button), claim a self-registered one
// with its claim token, trust per room and each agent's audit.

import { all, get, post, call, enc } from "./api.js";
import { h, fill, field, errorLine, json, when, message, say } from "./dom.js";
import { agents, roomName, load } from "./store.js";
import { auditTable } from "./audit.js";

function copyButton(input) {
  const b = h("button", { type: "button" }, "Copy key");
  b.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value);
    } catch (e) {
      input.select();
      document.execCommand("copy");
    }
    say("The key is on the clipboard.");
  });
  return b;
}

function listPage(main) {
  const name = h("input", { type: "text", name: "agent-name", maxlength: 200 });
  const regError = errorLine();
  const shown = h("div", { class: "key-once" });
  const reg = h("form", { class: "needs-admin", "aria-label": "Register an agent" }, h("h2", { text: "Register an agent" }),
    field("Name", name), h("button", { type: "submit" }, "Register agent"), regError, shown);
  reg.addEventListener("submit", async (e) => {
    e.preventDefault();
    regError.show(null);
    try {
      const a = await post("/v1/agents/register", { name: name.value.trim() });
      const key = h("input", { type: "text", readonly: true, value: a.api_key, class: "mono" });
      fill(shown, h("p", { class: "warn", text: `Key for ${a.name}: shown only now. Copy it into the agent's configuration.` }),
        field("API key", key), copyButton(key));
      name.value = "";
      await load(true);
      fill(list, items());
    } catch (err) {
      regError.show(err);
    }
  });
  const claimToken = h("input", { type: "text", name: "claim-token", autocomplete: "off" });
  const claimError = errorLine();
  const claim = h("form", { class: "needs-admin", "aria-label": "Claim an agent" }, h("h2", { text: "Claim a self-registered agent" }),
    field("Claim token", claimToken), h("button", { type: "submit" }, "Claim agent"), claimError);
  claim.addEventListener("submit", async (e) => {
    e.preventDefault();
    claimError.show(null);
    try {
      const a = await post("/v1/agents/claim", { claim_token: claimToken.value.trim() });
      claimToken.value = "";
      say(`Claimed: ${a.name}`);
      await load(true);
      fill(list, items());
    } catch (err) {
      claimError.show(err);
    }
  });
  const items = () => [...agents.values()].map((a) =>
    h("li", {}, h("a", { href: `#/agents/${enc(a.id)}`, text: a.name }), h("span", { class: "meta", text: ` ${a.status} · ${a.key_prefix || ""}` })));
  const list = h("ul", { class: "agents", "aria-label": "Agents" }, items());
  fill(main, h("h1", { text: "Agents" }), h("div", { class: "split" }, reg, claim), h("h2", { text: "All agents" }), list);
}

async function agentPage(main, id) {
  const [a, trust] = await Promise.all([get(`/v1/agents/${enc(id)}`), get(`/v1/agents/${enc(id)}/trust`)]);
  const audit = h("div");
  fill(main, h("p", {}, h("a", { href: "#/agents", text: "All agents" })), h("h1", { text: a.name }),
    h("dl", { class: "facts" },
      h("dt", { text: "Status" }), h("dd", { text: a.status }),
      h("dt", { text: "Platform" }), h("dd", { text: a.platform || "—" }),
      h("dt", { text: "Description" }), h("dd", { text: a.description || "—" }),
      h("dt", { text: "Rooms" }), h("dd", { text: a.room_scopes.length ? a.room_scopes.map(roomName).join(", ") : "every room" }),
      h("dt", { text: "Registered" }), h("dd", { text: when(a.created_at) })),
    h("h2", { text: "Trust per room" }),
    h("table", { class: "trust" }, h("thead", {}, h("tr", {}, ["Room", "Score", "Approved", "Modified", "Rejected", "Expired"].map((t) => h("th", { text: t })))),
      h("tbody", {}, trust.rooms.length ? trust.rooms.map((r) => h("tr", {}, [roomName(r.room_id), r.score, r.approved, r.modified, r.rejected, r.expired].map((t) => h("td", { text: t }))))
        : h("tr", {}, h("td", { colspan: 6, text: `No history yet: ${trust.initial_score} in every room.` })))),
    h("h2", { text: "Audit" }), audit);
  auditTable(audit, `/v1/agents/${enc(id)}/audit`);
}

export async function show(main, params) {
  if (params.id) await agentPage(main, params.id);
  else listPage(main);
}
