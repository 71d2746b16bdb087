package io.waitroom.policy;

/**
 * A live standing grant of a room as the engine sees it: an id and the conditions (rule format)
 * under which it approves without asking. Whether a use is left is settled when the check-in is
 * written, not here.
 */
public record StandingGrant(String id, Conditions conditions) {
  public boolean matches(CheckInFacts facts) {
    return conditions.matches(facts);
  }
}
