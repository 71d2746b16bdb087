package io.waitroom.policy;

import static io.waitroom.policy.PolicyDecision.AUTO_APPROVE;
import static io.waitroom.policy.PolicyDecision.FORBID;
import static io.waitroom.policy.PolicyDecision.REQUIRE_APPROVAL;

import io.vertx.core.json.JsonObject;
import io.waitroom.errors.ApiException;
import io.waitroom.validation.Fields;
import java.util.Objects;
import java.util.Set;

/**
 * One policy rule: when all its conditions match a check-in, its effect applies.
 *
 * @param id unique within the document; {@code rule-<n>} (1-based position) when not given
 * @param effect {@code forbid}, {@code auto_approve} or {@code require_approval}
 */
public record Rule(
    String id, String effect, Conditions conditions, Quorum quorum, Escalation escalation) {
  public static final Set<String> EFFECTS = Set.of(FORBID, AUTO_APPROVE, REQUIRE_APPROVAL);
  public static final int MAX_ID_LENGTH = 100;

  public Rule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(effect, "effect");
    Objects.requireNonNull(conditions, "conditions");
  }

  public Rule(String id, String effect, Conditions conditions) {
    this(id, effect, conditions, null, null);
  }

  public boolean matches(CheckInFacts facts) {
    return conditions.matches(facts);
  }

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject().put("id", id).put("effect", effect).put("conditions", conditions.toJson());
    if (quorum != null) json.put("quorum", quorum.toJson());
    if (escalation != null) json.put("escalation", escalation.toJson());
    return json;
  }

  /** The id a rule without one gets: stable as long as the rule keeps its position. */
  static String generatedId(int index) {
    return "rule-" + (index + 1);
  }

  /**
   * Parses {@code rules[index]}; every failure names the rule in {@code details.rule_id} (its id
   * when it has a usable one, else its 0-based index, matching {@code field}).
   */
  static Rule parse(
      Object value, int index, String field, int timeoutMinutes, String timeoutAction) {
    Object ruleRef = index;
    try {
      if (!(value instanceof JsonObject json)) {
        throw ApiException.validation(field, "must be an object");
      }
      String id;
      if (json.getValue("id") == null) {
        id = generatedId(index);
      } else {
        id = Fields.requiredString(json, "id", field + ".id", 1, MAX_ID_LENGTH);
        ruleRef = id;
      }
      String effect = Fields.requiredEnum(json, "effect", field + ".effect", EFFECTS);
      Object conditions = json.getValue("conditions");
      if (conditions == null) throw ApiException.validation(field + ".conditions", "is required");
      if (!(conditions instanceof JsonObject c)) {
        throw ApiException.validation(field + ".conditions", "must be an object");
      }
      Quorum quorum = null;
      Escalation escalation = null;
      if (json.getValue("quorum") != null) {
        // Only a rule that asks a human can say how many humans.
        if (!REQUIRE_APPROVAL.equals(effect)) {
          throw ApiException.validation(field + ".quorum", "needs effect require_approval");
        }
        quorum = Quorum.parse(json.getValue("quorum"), field + ".quorum");
      }
      if (json.getValue("escalation") != null) {
        if (!REQUIRE_APPROVAL.equals(effect)) {
          throw ApiException.validation(field + ".escalation", "needs effect require_approval");
        }
        escalation =
            Escalation.parse(
                json.getValue("escalation"), field + ".escalation", timeoutMinutes, timeoutAction);
      }
      return new Rule(id, effect, Conditions.parse(c, field + ".conditions"), quorum, escalation);
    } catch (ApiException e) {
      if (e.details() != null && e.details().containsKey("rule_id")) throw e;
      String failed = e.details() == null ? field : e.details().getString("field", field);
      throw invalid(failed, ruleRef, e.getMessage());
    }
  }

  /** A 400 for a rule: the message already names the field; this adds which rule it was. */
  static ApiException invalid(String field, Object ruleRef, String message) {
    return new ApiException(
        400,
        "VALIDATION_ERROR",
        message + " (rule " + ruleRef + ")",
        new JsonObject().put("field", field).put("rule_id", ruleRef));
  }
}
