package io.waitroom.policy;

/**
 * The engine's whole answer for one check-in: the decision, the effective timeout (the check-in's
 * own, else the room's), when it falls due, and the trust score the decision saw.
 *
 * @param expiresInSeconds seconds until the timeout action applies; null: never (decided, or hold)
 */
public record Verdict(
    PolicyDecision decision,
    int timeoutMinutes,
    String timeoutAction,
    Integer expiresInSeconds,
    double trustScore) {

  /**
   * Decides {@code facts} under {@code doc}. One timeout "minute" is {@code unitSeconds} (60; tests
   * shorten it).
   */
  public static Verdict of(
      PolicyDocument doc, PolicyQuestion q, double trustScore, int unitSeconds) {
    PolicyDecision d = PolicyEngine.evaluate(doc, q.facts(), trustScore);
    int minutes = q.timeoutMinutes() != null ? q.timeoutMinutes() : doc.timeoutMinutes();
    String action = q.timeoutAction() != null ? q.timeoutAction() : doc.timeoutAction();
    boolean waits = "pending".equals(d.initialStatus()) && !"hold".equals(action);
    return new Verdict(d, minutes, action, waits ? minutes * unitSeconds : null, trustScore);
  }
}
