package io.waitroom.policy;

import io.vertx.core.json.JsonObject;

/**
 * What the policy engine decided for one check-in, which rule (if any) decided it, and why.
 *
 * @param result {@link #FORBID}, {@link #AUTO_APPROVE} or {@link #REQUIRE_APPROVAL}
 * @param ruleId the deciding rule's id, or null when trust or the default action decided
 * @param reason a sentence for humans, stored with the check-in and shown in dry runs
 * @param byTrust whether a trust threshold (rather than a rule or the default) decided
 */
public record PolicyDecision(String result, String ruleId, String reason, boolean byTrust) {
  public static final String FORBID = "forbid";
  public static final String AUTO_APPROVE = "auto_approve";
  public static final String REQUIRE_APPROVAL = "require_approval";

  /** A decision by a rule or the default action. */
  public PolicyDecision(String result, String ruleId, String reason) {
    this(result, ruleId, reason, false);
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
    return byTrust ? "system:trust" : "system:policy";
  }

  /** The check-in's {@code policy} field: {@code {result, rule_id, reason}}. */
  public JsonObject toJson() {
    return new JsonObject().put("result", result).put("rule_id", ruleId).put("reason", reason);
  }
}
