// A check-in's thread, rendered as text (bodies, metadata and attachments come from agents).

import { h, json, when } from "./dom.js";
import { agentName, personName } from "./store.js";

function author(m) {
  if (m.author_type === "agent") return agentName(m.author_id);
  if (m.author_type === "system") return m.author_id && m.author_id.startsWith("system:") ? personName(m.author_id) : "system";
  return personName(m.author_id);
}

export function messageItem(m) {
  // The metadata (ids included) one click away; a status change names who made it.
  const meta = m.metadata && Object.keys(m.metadata).length
    ? h("details", { class: "metadata" }, h("summary", { text: "metadata" }), h("pre", { class: "json", text: json(m.metadata) }))
    : null;
  const by = m.message_type === "status_change" && m.metadata && m.metadata.by ? ` · by ${personName(m.metadata.by)}` : "";
  const files = (m.attachments || []).map((a) =>
    h("li", {}, a.url ? h("a", { href: /^https?:/i.test(a.url) ? a.url : "#", rel: "noopener noreferrer", target: "_blank", text: a.name }) : a.name,
      a.content ? h("pre", { class: "json", text: a.content }) : null),
  );
  return h(
    "li",
    { class: `msg msg-${m.message_type}`, "data-id": m.id },
    h("div", { class: "meta" }, h("strong", { text: author(m), title: m.author_id }), ` · ${m.message_type} · ${when(m.created_at)}`),
    h("p", { class: "body", text: `${m.body}${by}` }),
    meta,
    files.length ? h("ul", { class: "files" }, files) : null,
  );
}

export function threadList(messages) {
  const ul = h("ul", { class: "thread", "aria-label": "Thread" });
  for (const m of messages) ul.append(messageItem(m));
  if (!messages.length) ul.append(h("li", { class: "empty", text: "No messages yet." }));
  ul.add = (m) => {
    if (ul.querySelector(`[data-id="${CSS.escape(m.id)}"]`)) return;
    ul.querySelector(".empty")?.remove();
    ul.append(messageItem(m));
  };
  return ul;
}
