// The sign-in page's other ways in (issue 27): "Sign in with <provider>" (OpenID Connect, a plain
// link: the server runs the flow and comes back with a session cookie) and "Email me a sign-in
// link", as the server offers them (GET /auth/config).

import { h, field } from "./dom.js";

export async function offer(form) {
  let config;
  try {
    const res = await fetch("/auth/config", { headers: { Accept: "application/json" } });
    config = (await res.json()).data;
  } catch (e) {
    return;
  }
  const box = h("div", { class: "sign-in-options" });
  if (config.oidc && config.oidc.enabled) {
    box.append(h("a", { class: "button sso", href: config.oidc.login, text: `Sign in with ${config.oidc.name}` }));
  }
  if (config.email && config.email.enabled) {
    const email = h("input", { type: "email", name: "email", autocomplete: "email", required: true, maxlength: 254 });
    const said = h("p", { role: "status" });
    const mail = h(
      "form",
      { class: "email-link", "aria-label": "Email me a sign-in link" },
      field("E-mail address", email),
      h("button", { type: "submit" }, "Email me a sign-in link"),
      said,
    );
    mail.addEventListener("submit", async (e) => {
      e.preventDefault();
      said.textContent = "";
      try {
        const res = await fetch("/auth/email", {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ email: email.value.trim() }),
        });
        const body = await res.json().catch(() => ({}));
        said.textContent = res.ok ? body.data.message : (body.error && body.error.message) || `The server answered ${res.status}`;
      } catch (err) {
        said.textContent = `The server cannot be reached (${err.message}).`;
      }
    });
    box.append(mail);
  }
  if (!box.childElementCount) return;
  box.append(h("p", { class: "muted", text: "Or paste a token:" }));
  form.insertBefore(box, form.children[1] || null);
}
