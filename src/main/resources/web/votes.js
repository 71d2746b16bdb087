// Approval flows on a check-in: the quorum's votes so far, who is still needed, and the
// escalation level. Everything here is rebuilt from the check-in the API or an event sends
// (votes, approvals_needed, quorum, escalation_level, urgency), so a live event just calls update.

import { h, fill, when } from "./dom.js";
import { personName } from "./store.js";

/** The voter's name (the id on hover). */
export function voterName(id) {
  return personName(id);
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

/** "2 more approvals needed", or "" without a quorum or once decided. */
export function stillNeeded(ci) {
  if (!ci.quorum || ci.status !== "pending" || ci.approvals_needed == null) return "";
  if (ci.approvals_needed <= 0) return "No more approvals needed";
  return `${plural(ci.approvals_needed, "more approval", "more approvals")} needed`;
}

/** The approvers of the quorum's list who have not voted yet (null when anyone may vote). */
export function notYetVoted(ci) {
  const approvers = ci.quorum && ci.quorum.approvers;
  if (!approvers) return null;
  const voted = new Set((ci.votes || []).map((v) => v.voter));
  return approvers.filter((a) => !voted.has(a));
}

/** "not escalated" or "level 2", with whom the last step notified when an event said so. */
export function escalationText(ci, notify) {
  const level = ci.escalation_level || 0;
  if (!level) return "not escalated";
  const who = notify === "all" ? "everyone" : Array.isArray(notify) && notify.length ? notify.map(voterName).join(", ") : "";
  return `level ${level}${who ? ` · notified ${who}` : ""}`;
}

function quorumRule(q) {
  const of = q.approvers ? ` of ${plural(q.approvers.length, "approver", "approvers")}` : " from anyone in the org";
  const reject = q.reject === "majority" ? "rejects by majority" : "one reject rejects";
  return `Needs ${plural(q.required, "approval", "approvals")}${of}; ${reject}.`;
}

function voteItem(v) {
  return h(
    "li",
    { class: `vote vote-${v.verdict}` },
    h("strong", { text: voterName(v.voter), title: v.voter }),
    " ",
    h("span", { class: "verdict", text: v.verdict }),
    v.reason ? [": ", h("span", { class: "reason", text: v.reason })] : null,
    v.modifications ? h("code", { class: "mods", text: ` ${JSON.stringify(v.modifications)}` }) : null,
    h("span", { class: "meta", text: ` · ${when(v.at)}` }),
  );
}

/** The "Approvals" region of a check-in; .update(ci) redraws it, hidden without a quorum. */
export function approvalsPanel() {
  const rule = h("p", { class: "meta" });
  const needed = h("p", { class: "needed" });
  const waiting = h("p", { class: "waiting" });
  const votes = h("ul", { class: "votes", "aria-label": "Votes" });
  const panel = h(
    "section",
    { class: "approvals", role: "region", "aria-labelledby": "approvals-title", hidden: true },
    h("h4", { id: "approvals-title", text: "Approvals" }),
    rule,
    votes,
    needed,
    waiting,
  );
  panel.update = (ci) => {
    panel.hidden = !ci.quorum;
    if (!ci.quorum) return;
    rule.textContent = quorumRule(ci.quorum);
    const vs = ci.votes || [];
    fill(votes, vs.length ? vs.map(voteItem) : h("li", { class: "empty", text: "No votes yet." }));
    needed.textContent = stillNeeded(ci);
    const left = ci.status === "pending" ? notYetVoted(ci) : null;
    waiting.textContent = left && left.length ? `Not yet voted: ${left.map(voterName).join(", ")}` : "";
  };
  return panel;
}
