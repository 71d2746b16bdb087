package io.waitroom.checkins;

import io.vertx.core.json.JsonObject;
import io.waitroom.errors.ApiException;
import io.waitroom.receipts.PayloadHash;
import io.waitroom.validation.Fields;

/** The validated body of a check-in or task creation. */
public record CheckInInput(
    String action,
    String description,
    String riskLevel,
    String urgency,
    JsonObject context,
    Integer timeoutMinutes,
    String timeoutAction) {

  /** Every limit of the API reference; tasks take no timeout fields. */
  public static CheckInInput parse(JsonObject body, boolean task) {
    String action = Fields.requiredString(body, "action", 1, 500);
    String description = Fields.optionalString(body, "description", 5000);
    String risk = Fields.optionalEnum(body, "risk_level", CheckIn.RISK_LEVELS, "medium");
    String urgency = Fields.optionalEnum(body, "urgency", CheckIn.URGENCIES, "normal");
    JsonObject context = Fields.optionalObject(body, "context", new JsonObject());
    Integer timeout = task ? null : Fields.optionalInt(body, "timeout_minutes", 1, 10080);
    String timeoutAction =
        task ? null : Fields.optionalEnum(body, "timeout_action", CheckIn.TIMEOUT_ACTIONS, null);
    return new CheckInInput(action, description, risk, urgency, context, timeout, timeoutAction);
  }

  /**
   * The {@code payload_hash} of what this asks (issue 29): computed once, as the check-in is made.
   * A number JSON cannot carry (an overflow to infinity) has no canonical form: 400 naming context.
   */
  public String payloadHash() {
    try {
      return PayloadHash.of(action, description, riskLevel, urgency, context);
    } catch (IllegalArgumentException e) {
      throw ApiException.validation("context", "context: " + e.getMessage());
    }
  }
}
