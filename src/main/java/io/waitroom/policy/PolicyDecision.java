package io.waitroom.policy;

import io.vertx.core.json.JsonObject;

/**
 * What the policy engine decided for one check-in, which rule (if any) decided it, and why.
 *
 * @param result {@link #FORBID}, {@link #AUTO_APPROVE} or {@link #REQUIRE_APPROVAL}
 * @param ruleId the deciding rule's id, or null when trust, a grant or the default action decided
 * @param reason a sentence for humans, stored with the check-in and shown in dry runs
 * @param byTrust whether a trust threshold (rather than a rule or the default) decided
 * @param grantId the standing grant that approved, or null
 * @param quorum the approvals a pending check-in needs (rule's, else the document's), or null
 * @param escalation the steps while a pending check-in waits (rule's, else document's), or null
 */
public record PolicyDecision(
    String result,
    String ruleId,
    String reason,
    boolean byTrust,
    String grantId,
    Quorum quorum,
    Escalation escalation) {
  public static final String FORBID = "forbid";
  public static final String AUTO_APPROVE = "auto_approve";
  public static final String REQUIRE_APPROVAL = "require_approval";

  /** A decision by a rule or the default action. */
  public PolicyDecision(String result, String ruleId, String reason) {
    this(result, ruleId, reason, false);
  }

  public PolicyDecision(String result, String ruleId, String reason, boolean byTrust) {
    this(result, ruleId, reason, byTrust, null, null, null);
  }

  /** An approval by a standing grant. */
  static PolicyDecision byGrant(String grantId) {
    return new PolicyDecision(
        AUTO_APPROVE, null, "grant " + grantId + " matched", false, grantId, null, null);
  }

  /** This decision with the flows a pending check-in follows. */
  PolicyDecision withFlows(Quorum q, Escalation e) {
    if (!REQUIRE_APPROVAL.equals(result)) return this;
    return new PolicyDecision(result, ruleId, reason, byTrust, grantId, q, e);
  }

  /** The status a check-in starts in under this decision. */
  public String initialStatus() {
    return switch (result) {
      case FORBID -> "rejected";
      case AUTO_APPROVE -> "approved";
      default -> "pending";
    };
  }

  /** Who the audit trail names for an engine decision. */
  public String decidedBy() {
    if (grantId != null) return "system:grant";
    return byTrust ? "system:trust" : "system:policy";
  }

  /**
   * The check-in's {@code policy} field: {@code {result, rule_id, reason}}, and {@code grant_id}
   * when a grant approved.
   */
  public JsonObject toJson() {
    JsonObject json =
        new JsonObject().put("result", result).put("rule_id", ruleId).put("reason", reason);
    if (grantId != null) json.put("grant_id", grantId);
    return json;
  }
}
