package io.waitroom.policy;

import java.util.List;

/**
 * The engine's whole answer for one check-in: the decision, the effective timeout (the check-in's
 * own, else the room's), when it falls due, and the trust score the decision saw.
 *
 * @param expiresInSeconds seconds until the timeout action applies; null: never (decided, or hold)
 * @param escalationInSeconds seconds until the first escalation step; null: none
 * @param withoutGrant when a grant decided: the answer if its last use is gone by the time the
 *     check-in is written (the rest of the policy); else null
 */
public record Verdict(
    PolicyDecision decision,
    int timeoutMinutes,
    String timeoutAction,
    Integer expiresInSeconds,
    double trustScore,
    Integer escalationInSeconds,
    Verdict withoutGrant) {

  /**
   * Decides {@code facts} under {@code doc}. One timeout "minute" is {@code unitSeconds} (60; tests
   * shorten it).
   */
  public static Verdict of(
      PolicyDocument doc, PolicyQuestion q, double trustScore, int unitSeconds) {
    return of(doc, q, trustScore, unitSeconds, List.of());
  }

  /** Decides {@code facts} under {@code doc} and the room's live {@code grants}. */
  public static Verdict of(
      PolicyDocument doc,
      PolicyQuestion q,
      double trustScore,
      int unitSeconds,
      List<StandingGrant> grants) {
    PolicyDecision rest = PolicyEngine.evaluate(doc, q.facts(), trustScore);
    Verdict byPolicy = of(rest, doc, q, trustScore, unitSeconds, null);
    PolicyDecision byGrant = PolicyEngine.byGrant(rest, grants, q.facts());
    return byGrant == null ? byPolicy : of(byGrant, doc, q, trustScore, unitSeconds, byPolicy);
  }

  private static Verdict of(
      PolicyDecision d,
      PolicyDocument doc,
      PolicyQuestion q,
      double trustScore,
      int unitSeconds,
      Verdict withoutGrant) {
    int minutes = q.timeoutMinutes() != null ? q.timeoutMinutes() : doc.timeoutMinutes();
    String action = q.timeoutAction() != null ? q.timeoutAction() : doc.timeoutAction();
    boolean pending = "pending".equals(d.initialStatus());
    boolean waits = pending && !"hold".equals(action);
    Integer escalation =
        pending && d.escalation() != null
            ? d.escalation().steps().get(0).afterMinutes() * unitSeconds
            : null;
    return new Verdict(
        d,
        minutes,
        action,
        waits ? minutes * unitSeconds : null,
        trustScore,
        escalation,
        withoutGrant);
  }
}
