package io.waitroom.policy;

import static io.waitroom.policy.PolicyDecision.AUTO_APPROVE;
import static io.waitroom.policy.PolicyDecision.FORBID;
import static io.waitroom.policy.PolicyDecision.REQUIRE_APPROVAL;

import java.util.List;

/** Decides a check-in's initial outcome from a room's policy document and the agent's trust. */
public final class PolicyEngine {
  // SPEC 6: a forbid anywhere in the list beats an auto_approve listed before it, so rules are
  // scanned once per effect rather than once in document order.
  private static final List<String> EFFECT_ORDER = List.of(FORBID, AUTO_APPROVE, REQUIRE_APPROVAL);

  private PolicyEngine() {}

  public static PolicyDecision evaluate(PolicyDocument doc, CheckInFacts facts, double trustScore) {
    for (String effect : EFFECT_ORDER) {
      for (Rule rule : doc.rules()) {
        if (rule.effect().equals(effect) && rule.matches(facts)) {
          return new PolicyDecision(
                  effect, rule.id(), "rule " + rule.id() + " (" + effect + ") matched")
              .withFlows(
                  rule.quorum() != null ? rule.quorum() : doc.quorum(),
                  rule.escalation() != null ? rule.escalation() : doc.escalation());
        }
      }
    }
    PolicyDecision byTrust = byTrust(doc, facts.riskLevel(), trustScore);
    if (byTrust != null) return byTrust;
    return new PolicyDecision(doc.defaultAction(), null, "default_action " + doc.defaultAction())
        .withFlows(doc.quorum(), doc.escalation());
  }

  /**
   * The approval by the first matching live grant, or null. Grants come after forbid rules and
   * before everything else: {@code decision} (the policy without grants) keeps a forbid rule's
   * answer and is replaced by the grant otherwise.
   */
  public static PolicyDecision byGrant(
      PolicyDecision decision, List<StandingGrant> grants, CheckInFacts facts) {
    if (FORBID.equals(decision.result()) && decision.ruleId() != null) return null;
    for (StandingGrant g : grants) {
      if (g.matches(facts)) return PolicyDecision.byGrant(g.id());
    }
    return null;
  }

  /** Auto-approval earned by trust, or null; high and critical risk never qualify. */
  private static PolicyDecision byTrust(PolicyDocument doc, String riskLevel, double trustScore) {
    String thresholdName;
    Double threshold;
    switch (riskLevel) {
      case "low" -> {
        thresholdName = "auto_approve_low";
        threshold = doc.autoApproveLow();
      }
      case "medium" -> {
        thresholdName = "auto_approve_medium";
        threshold = doc.autoApproveMedium();
      }
      default -> {
        return null;
      }
    }
    // A null threshold means "never"; NaN trust compares false and so never qualifies either.
    if (threshold == null || !(trustScore >= threshold)) return null;
    return new PolicyDecision(
        AUTO_APPROVE,
        null,
        "trust "
            + trustScore
            + " >= "
            + thresholdName
            + " "
            + threshold
            + " for "
            + riskLevel
            + " risk",
        true);
  }
}
