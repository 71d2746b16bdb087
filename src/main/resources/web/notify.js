// Notifications: browser push for chosen rooms (or all), through /push.js, which may be missing
// on an older server: the page then says so instead of failing.

import { token, get, put, del } from "./api.js";
import { h, fill, field, errorLine, say } from "./dom.js";
import { roomList } from "./store.js";

let push;
function loadPush() {
  if (!push) push = import("/push.js").catch(() => null);
  return push;
}

/** iPhone, iPod or iPad; iPadOS's Safari says "Macintosh" by default, but a Mac has no touch screen. */
function appleMobile() {
  const ua = navigator.userAgent || "";
  return /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
}

/** Opened from the Home Screen (iOS's navigator.standalone, or the manifest's display mode). */
function installed() {
  return navigator.standalone === true || matchMedia("(display-mode: standalone)").matches;
}

function whyNoPush() {
  if (appleMobile() && !installed()) {
    return "On iPhone and iPad, notifications need the app on your Home Screen: tap Share → Add to Home Screen, open Waitroom from there, then turn notifications on.";
  }
  if (appleMobile()) {
    return "This iPhone or iPad cannot receive web notifications: they need iOS or iPadOS 16.4 or later.";
  }
  return "This browser cannot receive push notifications (it needs service workers, Push and Notifications; some need https).";
}

export async function show(main) {
  await showPush(main);
  main.append(await slackSection());
}

async function showPush(main) {
  const mod = await loadPush();
  const error = errorLine();
  if (!mod) {
    fill(main, h("h1", { text: "Notifications" }), h("p", { text: "This server does not offer browser notifications (no /push.js)." }));
    return;
  }
  if (!mod.pushSupported()) {
    fill(main, h("h1", { text: "Notifications" }), h("p", { text: whyNoPush() }));
    return;
  }
  const everyRoom = h("input", { type: "checkbox", id: "push-all", checked: true });
  const boxes = roomList().map((r) => {
    const b = h("input", { type: "checkbox", id: `push-${r.id}`, value: r.id });
    return h("div", { class: "check" }, b, h("label", { for: b.id, text: r.name }));
  });
  const roomsBox = h("fieldset", { disabled: true }, h("legend", { text: "Rooms" }), boxes);
  everyRoom.addEventListener("change", () => (roomsBox.disabled = everyRoom.checked));
  const on = h("button", { type: "button" }, "Turn on notifications");
  const off = h("button", { type: "button" }, "Turn off notifications");
  on.addEventListener("click", async () => {
    error.show(null);
    const chosen = [...roomsBox.querySelectorAll("input:checked")].map((b) => b.value);
    if (!everyRoom.checked && !chosen.length) return error.show("Choose at least one room, or every room.");
    try {
      await mod.enablePush(token(), everyRoom.checked ? "all" : chosen);
      say(`Notifications are on for ${everyRoom.checked ? "every room" : `${chosen.length} room(s)`}.`);
    } catch (e) {
      error.show(e);
    }
  });
  off.addEventListener("click", async () => {
    error.show(null);
    try {
      await mod.disablePush(token());
      say("Notifications are off.");
    } catch (e) {
      error.show(e);
    }
  });
  fill(main, h("h1", { text: "Notifications" }),
    h("p", { text: "Get a notification for each new pending check-in, also when this tab is closed; clicking it opens the check-in. Where the device shows buttons, a low or medium risk check-in offers Approve and Reject, a high or critical one Review." }),
    h("div", { class: "check" }, everyRoom, h("label", { for: "push-all", text: "Every room" })), roomsBox,
    h("div", { class: "buttons" }, on, off), error);
}

// ---- Slack (issue 28): link your Slack user so your clicks in Slack decide as you ----

async function slackSection() {
  const error = errorLine();
  let linked = null;
  try {
    linked = (await get("/v1/me/slack")).slack_user_id;
  } catch {
    return h("section", { id: "slack-link" }); // an older server: no Slack section
  }
  const input = h("input", { id: "slack-user-id", autocomplete: "off", placeholder: "U0123456789", value: linked || "" });
  const status = h("p", { id: "slack-status", text: linked ? `Linked to Slack member ${linked}.` : "Not linked: clicks in Slack are matched by your e-mail address." });
  const save = h("button", { type: "button" }, "Link");
  const remove = h("button", { type: "button" }, "Unlink");
  save.addEventListener("click", async () => {
    error.show(null);
    try {
      const got = await put("/v1/me/slack", { slack_user_id: input.value.trim() });
      status.textContent = `Linked to Slack member ${got.slack_user_id}.`;
      say("Your Slack account is linked.");
    } catch (e) {
      error.show(e);
    }
  });
  remove.addEventListener("click", async () => {
    error.show(null);
    try {
      await del("/v1/me/slack");
      input.value = "";
      status.textContent = "Not linked: clicks in Slack are matched by your e-mail address.";
      say("Your Slack account is unlinked.");
    } catch (e) {
      error.show(e);
    }
  });
  return h("section", { id: "slack-link" },
    h("h2", { text: "Slack" }),
    h("p", { text: "Approve and Reject buttons in Slack decide as you once Waitroom knows your Slack account: by the same e-mail address in both, or by your Slack member ID (in Slack: your profile, ⋮, Copy member ID)." }),
    field("Slack member ID", input), status,
    h("div", { class: "buttons" }, save, remove), error);
}
