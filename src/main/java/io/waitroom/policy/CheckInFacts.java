package io.waitroom.policy;

import io.vertx.core.json.JsonObject;

/**
 * The parts of a check-in that policy rules may look at.
 *
 * <p>Absent values take the check-in defaults (SPEC 5: risk {@code medium}, urgency {@code normal},
 * context {@code {}}) so a dry run with a sparse body decides like the real check-in.
 */
public record CheckInFacts(
    String agentId, String action, String riskLevel, String urgency, JsonObject context) {

  public CheckInFacts {
    action = action == null ? "" : action;
    riskLevel = riskLevel == null ? "medium" : riskLevel;
    urgency = urgency == null ? "normal" : urgency;
    context = context == null ? new JsonObject() : context;
  }
}
