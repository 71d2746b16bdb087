package io.waitroom.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.errors.ApiException;
import io.waitroom.validation.Fields;
import java.util.ArrayList;
import java.util.List;

/**
 * What happens while nobody answers: steps that raise a pending check-in's urgency and name whom to
 * tell, each {@code after_minutes} (the unit of {@code timeout_minutes}) after its creation. Stored
 * on the check-in as JSON ({@link #toJson}); the sweeper fires each step once, in order.
 */
public record Escalation(List<Step> steps) {
  public static final int MAX_STEPS = 10;

  /**
   * @param urgency the urgency the step raises to (never lowers), or null to leave it
   * @param notifies {@code usr_} ids, or null for every human of the org ({@code "all"})
   */
  public record Step(int afterMinutes, String urgency, List<String> notifies) {
    JsonObject toJson() {
      return new JsonObject()
          .put("after_minutes", afterMinutes)
          .put("urgency", urgency)
          .put("notify", notifies == null ? "all" : new JsonArray(new ArrayList<>(notifies)));
    }
  }

  public Escalation {
    steps = List.copyOf(steps);
  }

  /**
   * Parses {@code escalation}; {@code timeoutMinutes} bounds the steps unless {@code hold}. Errors
   * name {@code field[i].<key>}.
   */
  public static Escalation parse(
      Object value, String field, int timeoutMinutes, String timeoutAction) {
    if (!(value instanceof JsonArray arr)) throw ApiException.validation(field, "must be an array");
    if (arr.isEmpty() || arr.size() > MAX_STEPS) {
      throw ApiException.validation(field, "must have 1 to " + MAX_STEPS + " steps");
    }
    List<Step> steps = new ArrayList<>();
    int previous = 0;
    for (int i = 0; i < arr.size(); i++) {
      String f = field + "[" + i + "]";
      if (!(arr.getValue(i) instanceof JsonObject s)) {
        throw ApiException.validation(f, "must be an object");
      }
      int after =
          Fields.requiredInt(
              s, "after_minutes", f + ".after_minutes", 1, PolicyDocument.MAX_TIMEOUT_MINUTES);
      if (after <= previous) {
        throw ApiException.validation(
            f + ".after_minutes", "must be greater than the previous step's (" + previous + ")");
      }
      if (!"hold".equals(timeoutAction) && after >= timeoutMinutes) {
        throw ApiException.validation(
            f + ".after_minutes",
            "must be before the timeout (timeout_minutes " + timeoutMinutes + ")");
      }
      previous = after;
      String urgency =
          s.getValue("urgency") == null
              ? null
              : Fields.requiredEnum(s, "urgency", f + ".urgency", Conditions.URGENCIES);
      steps.add(new Step(after, urgency, notify(s.getValue("notify"), f + ".notify")));
    }
    return new Escalation(steps);
  }

  private static List<String> notify(Object v, String field) {
    if (v == null) return List.of();
    if ("all".equals(v)) return null;
    if (!(v instanceof JsonArray arr)) {
      throw ApiException.validation(field, "must be \"all\" or an array of usr_ ids");
    }
    if (arr.size() > Quorum.MAX_APPROVERS) {
      throw ApiException.validation(field, "must have at most " + Quorum.MAX_APPROVERS + " items");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < arr.size(); i++) {
      String id = Fields.checkString(arr.getValue(i), field + "[" + i + "]", 1, 100);
      if (!id.startsWith("usr_")) {
        throw ApiException.validation(field + "[" + i + "]", "must be a usr_ id");
      }
      out.add(id);
    }
    return out;
  }

  public JsonArray toJson() {
    JsonArray a = new JsonArray();
    steps.forEach(s -> a.add(s.toJson()));
    return a;
  }
}
