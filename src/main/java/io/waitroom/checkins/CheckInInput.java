package io.waitroom.checkins;

import io.vertx.core.json.JsonObject;
import io.waitroom.http.Validate;

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
    String action = Validate.requiredString(body, "action", 1, 500);
    String description = Validate.optionalString(body, "description", 5000);
    String risk = Validate.optionalEnum(body, "risk_level", CheckIn.RISK_LEVELS, "medium");
    String urgency = Validate.optionalEnum(body, "urgency", CheckIn.URGENCIES, "normal");
    JsonObject context = Validate.optionalObject(body, "context", new JsonObject());
    Integer timeout = task ? null : Validate.optionalInt(body, "timeout_minutes", 1, 10080);
    String timeoutAction =
        task ? null : Validate.optionalEnum(body, "timeout_action", CheckIn.TIMEOUT_ACTIONS, null);
    return new CheckInInput(action, description, risk, urgency, context, timeout, timeoutAction);
  }
}
