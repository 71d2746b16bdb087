// A room's Members panel (issue 27): its owner and the humans set as approvers or viewers. Once a
// room has an approver member, only they and the owner decide there and get its notifications.
// Admins and the room's owner change members; others see the list.

import { get, put, del, all, enc } from "./api.js";
import { h, fill, field, select, errorLine, say } from "./dom.js";

export function membersPanel(room) {
  const list = h("ul", { class: "members" });
  const note = h("p", { class: "meta" });
  const human = h("select", { name: "human" });
  const role = select([["approver", "Approver (may decide here)"], ["viewer", "Viewer"]], "approver");
  const error = errorLine();
  const form = h(
    "form",
    { class: "member-form needs-admin", "aria-label": "Add a member" },
    field("Human", human),
    field("Role in this room", role),
    h("button", { type: "submit" }, "Set member"),
    error,
  );
  async function refresh() {
    try {
      const m = await get(`/v1/rooms/${enc(room.id)}/members`);
      note.textContent = m.restricted
        ? "Only the approver members and the owner may decide in this room."
        : "No approver members: any approver of the org may decide here.";
      fill(list, m.members.map((x) => item(x)));
    } catch (e) {
      fill(list, h("li", { class: "error", text: e.apiMessage || e.message }));
    }
  }
  function item(x) {
    const remove = h("button", { type: "button", class: "needs-admin", "aria-label": `Remove ${x.name || x.human_id}` }, "Remove");
    remove.addEventListener("click", async () => {
      error.show(null);
      try {
        await del(`/v1/rooms/${enc(room.id)}/members/${enc(x.human_id)}`);
        say("Member removed.");
        refresh();
      } catch (e) {
        error.show(e);
      }
    });
    return h("li", {}, h("strong", { text: x.name || x.email || x.human_id }), ` · ${x.role}`, x.role === "owner" ? null : remove);
  }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.show(null);
    try {
      await put(`/v1/rooms/${enc(room.id)}/members/${enc(human.value)}`, { role: role.value });
      say("Member set.");
      refresh();
    } catch (err) {
      error.show(err);
    }
  });
  all("/v1/humans")
    .then((hs) => fill(human, hs.map((x) => h("option", { value: x.id, text: `${x.name || x.email || x.id} (${x.role})` }))))
    .catch(() => {});
  refresh();
  return h("section", { "aria-label": "Members" }, h("h2", { text: "Members" }), note, list, form);
}
