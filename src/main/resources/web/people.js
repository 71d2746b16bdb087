// People (issue 27): the org's humans and their roles; admins change roles, invite by e-mail and
// revoke open invitations. Everyone else sees the list.

import { all, post, put, del, enc } from "./api.js";
import { h, fill, field, select, errorLine, say } from "./dom.js";

const ROLES = [["viewer", "Viewer (read only)"], ["approver", "Approver (decides)"], ["admin", "Admin"]];

export async function show(main) {
  const humans = h("ul", { class: "people" });
  const invitations = h("ul", { class: "people" });
  const error = errorLine();
  const email = h("input", { type: "email", name: "email", maxlength: 254, required: true });
  const role = select(ROLES, "approver");
  const invite = h(
    "form",
    { class: "invite needs-admin", "aria-label": "Invite someone" },
    h("h2", { text: "Invite someone" }),
    field("E-mail address", email),
    field("Role", role),
    h("button", { type: "submit" }, "Send invitation"),
  );
  invite.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.show(null);
    try {
      const inv = await post("/v1/invitations", { email: email.value.trim(), role: role.value });
      say(inv.email_sent ? `Invitation sent to ${inv.email}.` : `Invitation created for ${inv.email} (e-mail is not configured).`);
      email.value = "";
      refresh();
    } catch (err) {
      error.show(err);
    }
  });

  function person(x) {
    const pick = select(ROLES, x.role);
    pick.setAttribute("aria-label", `Role of ${x.name || x.email || x.id}`);
    pick.classList.add("needs-admin");
    pick.addEventListener("change", async () => {
      error.show(null);
      try {
        await put(`/v1/humans/${enc(x.id)}`, { role: pick.value });
        say(`${x.name || x.id} is now ${pick.value}.`);
      } catch (err) {
        pick.value = x.role;
        error.show(err);
      }
    });
    return h("li", {}, h("strong", { text: x.name || x.email || x.id }), ` · ${x.email || "no e-mail"} · `, h("span", { class: "role", text: x.role }), " ", pick);
  }

  function invitation(x) {
    const revoke = h("button", { type: "button", "aria-label": `Revoke the invitation of ${x.email}` }, "Revoke");
    revoke.addEventListener("click", async () => {
      try {
        await del(`/v1/invitations/${enc(x.id)}`);
        say("Invitation revoked.");
        refresh();
      } catch (err) {
        error.show(err);
      }
    });
    return h("li", {}, h("strong", { text: x.email }), ` · ${x.role} · ${x.status}`, x.status === "open" ? revoke : null);
  }

  async function refresh() {
    try {
      fill(humans, (await all("/v1/humans")).map(person));
    } catch (err) {
      error.show(err);
    }
    if (document.body.dataset.role === "admin") {
      try {
        fill(invitations, (await all("/v1/invitations")).map(invitation));
      } catch (err) {
        error.show(err);
      }
    }
  }

  fill(
    main,
    h("h1", { text: "People" }),
    error,
    h("section", { "aria-label": "Humans" }, h("h2", { text: "Humans" }), humans),
    invite,
    h("section", { class: "needs-admin", "aria-label": "Invitations" }, h("h2", { text: "Invitations" }), invitations),
  );
  await refresh();
}
