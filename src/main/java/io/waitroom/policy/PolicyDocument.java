package io.waitroom.policy;

import static io.waitroom.policy.PolicyDecision.AUTO_APPROVE;
import static io.waitroom.policy.PolicyDecision.FORBID;
import static io.waitroom.policy.PolicyDecision.REQUIRE_APPROVAL;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.errors.ApiException;
import io.waitroom.validation.Fields;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A room's policy: its rules, the trust needed to skip a human, and what happens otherwise.
 *
 * @param defaultAction the result when no rule and no trust threshold decides
 * @param timeoutMinutes how long a pending check-in waits, 1..10080, unless it sets its own
 * @param timeoutAction {@code auto_approve}, {@code cancel} or {@code hold} when the wait ends
 * @param autoApproveLow trust (0..100) that auto-approves low risk; null means never
 * @param autoApproveMedium trust (0..100) that auto-approves medium risk; null means never
 * @param rules at most {@link #MAX_RULES}, ids unique, in document order
 * @param quorum the approvals a check-in needs when no matching rule sets its own; null: one
 * @param escalation the steps while nobody answers when no matching rule sets its own; null: none
 * @param fourEyes whether the human who posted a task may not review it, nor the human who
 *     registered an agent decide its check-ins ({@code "four_eyes": true})
 */
public record PolicyDocument(
    String defaultAction,
    int timeoutMinutes,
    String timeoutAction,
    Double autoApproveLow,
    Double autoApproveMedium,
    List<Rule> rules,
    Quorum quorum,
    Escalation escalation,
    boolean fourEyes) {

  public static final Set<String> DEFAULT_ACTIONS = Set.of(AUTO_APPROVE, REQUIRE_APPROVAL, FORBID);
  public static final Set<String> TIMEOUT_ACTIONS = Set.of("auto_approve", "cancel", "hold");
  public static final int MAX_TIMEOUT_MINUTES = 10_080;
  public static final int MAX_RULES = 100;
  public static final double DEFAULT_AUTO_APPROVE_LOW = 40;
  public static final double DEFAULT_AUTO_APPROVE_MEDIUM = 70;

  /** SPEC 6: what a new room starts with. */
  public static final PolicyDocument DEFAULTS =
      new PolicyDocument(
          REQUIRE_APPROVAL,
          60,
          "cancel",
          DEFAULT_AUTO_APPROVE_LOW,
          DEFAULT_AUTO_APPROVE_MEDIUM,
          List.of());

  private static final String LOW = "auto_approve_low";
  private static final String MEDIUM = "auto_approve_medium";
  private static final Set<String> THRESHOLD_KEYS = Set.of(LOW, MEDIUM);

  public PolicyDocument {
    Objects.requireNonNull(defaultAction, "defaultAction");
    Objects.requireNonNull(timeoutAction, "timeoutAction");
    rules = List.copyOf(rules);
  }

  public PolicyDocument(
      String defaultAction,
      int timeoutMinutes,
      String timeoutAction,
      Double autoApproveLow,
      Double autoApproveMedium,
      List<Rule> rules,
      Quorum quorum,
      Escalation escalation) {
    this(
        defaultAction,
        timeoutMinutes,
        timeoutAction,
        autoApproveLow,
        autoApproveMedium,
        rules,
        quorum,
        escalation,
        false);
  }

  public PolicyDocument(
      String defaultAction,
      int timeoutMinutes,
      String timeoutAction,
      Double autoApproveLow,
      Double autoApproveMedium,
      List<Rule> rules) {
    this(
        defaultAction,
        timeoutMinutes,
        timeoutAction,
        autoApproveLow,
        autoApproveMedium,
        rules,
        null,
        null);
  }

  /**
   * Validates a whole document (PUT /v1/rooms/:room/policies, or one read back from storage). Error
   * fields are prefixed with {@code prefix}, e.g. {@code "policies."}; unknown top-level keys are
   * ignored.
   */
  public static PolicyDocument parse(JsonObject json, String prefix) {
    String p = prefix == null ? "" : prefix;
    if (json == null) {
      throw ApiException.validation(
          p.isEmpty() ? "body" : p.substring(0, p.length() - 1), "is required");
    }
    String defaultAction =
        Fields.requiredEnum(json, "default_action", p + "default_action", DEFAULT_ACTIONS);
    int timeoutMinutes =
        Fields.requiredInt(json, "timeout_minutes", p + "timeout_minutes", 1, MAX_TIMEOUT_MINUTES);
    String timeoutAction =
        Fields.requiredEnum(json, "timeout_action", p + "timeout_action", TIMEOUT_ACTIONS);

    Double low = DEFAULT_AUTO_APPROVE_LOW;
    Double medium = DEFAULT_AUTO_APPROVE_MEDIUM;
    Object thresholds = json.getValue("trust_thresholds");
    if (thresholds != null) {
      String field = p + "trust_thresholds";
      if (!(thresholds instanceof JsonObject t)) {
        throw ApiException.validation(field, "must be an object");
      }
      for (String key : t.fieldNames()) {
        // A misspelt key would leave the default in force, likely more permissive than meant.
        if (!THRESHOLD_KEYS.contains(key)) {
          throw ApiException.validation(
              field + "." + key, "unknown threshold; expected " + LOW + " or " + MEDIUM);
        }
      }
      low = threshold(t, LOW, field + "." + LOW, low);
      medium = threshold(t, MEDIUM, field + "." + MEDIUM, medium);
    }

    List<Rule> rules =
        parseRules(json.getValue("rules"), p + "rules", timeoutMinutes, timeoutAction);
    Quorum quorum =
        json.getValue("quorum") == null
            ? null
            : Quorum.parse(json.getValue("quorum"), p + "quorum");
    Escalation escalation =
        json.getValue("escalation") == null
            ? null
            : Escalation.parse(
                json.getValue("escalation"), p + "escalation", timeoutMinutes, timeoutAction);
    Object fourEyes = json.getValue("four_eyes");
    if (fourEyes != null && !(fourEyes instanceof Boolean)) {
      throw ApiException.validation(p + "four_eyes", "must be true or false");
    }
    return new PolicyDocument(
        defaultAction,
        timeoutMinutes,
        timeoutAction,
        low,
        medium,
        rules,
        quorum,
        escalation,
        Boolean.TRUE.equals(fourEyes));
  }

  /**
   * A partial document (POST /v1/rooms {@code policies}) laid over {@link #DEFAULTS}, key by key
   * (and {@code trust_thresholds} key by key within), then validated as a whole.
   */
  public static PolicyDocument mergeOntoDefaults(JsonObject partial, String prefix) {
    JsonObject merged = DEFAULTS.toJson();
    if (partial != null) {
      for (String key : partial.fieldNames()) {
        Object value = partial.getValue(key);
        // An explicit top-level null in a partial object reads as "not given".
        if (value == null) continue;
        if (key.equals("trust_thresholds") && value instanceof JsonObject t) {
          JsonObject thresholds = merged.getJsonObject("trust_thresholds");
          // Inside the thresholds a null is kept: it means "never auto-approve".
          for (String k : t.fieldNames()) thresholds.put(k, t.getValue(k));
        } else {
          merged.put(key, value);
        }
      }
    }
    return parse(merged, prefix);
  }

  /** The canonical stored and returned form; {@code parse(toJson(), "")} gives it back. */
  public JsonObject toJson() {
    JsonArray ruleArray = new JsonArray();
    rules.forEach(r -> ruleArray.add(r.toJson()));
    JsonObject json =
        new JsonObject()
            .put("default_action", defaultAction)
            .put("timeout_minutes", timeoutMinutes)
            .put("timeout_action", timeoutAction)
            .put(
                "trust_thresholds",
                new JsonObject()
                    .put(LOW, number(autoApproveLow))
                    .put(MEDIUM, number(autoApproveMedium)))
            .put("rules", ruleArray);
    if (quorum != null) json.put("quorum", quorum.toJson());
    if (escalation != null) json.put("escalation", escalation.toJson());
    // Only when set, so documents without it read exactly as before.
    if (fourEyes) json.put("four_eyes", true);
    return json;
  }

  private static Double threshold(JsonObject t, String key, String field, Double dflt) {
    if (!t.containsKey(key)) return dflt;
    Object v = t.getValue(key);
    if (v == null) return null;
    if (!(v instanceof Number n)
        || !Double.isFinite(n.doubleValue())
        || n.doubleValue() < 0
        || n.doubleValue() > 100) {
      throw ApiException.validation(field, "must be a number between 0 and 100, or null for never");
    }
    return n.doubleValue();
  }

  private static List<Rule> parseRules(
      Object value, String field, int timeoutMinutes, String timeoutAction) {
    if (value == null) throw ApiException.validation(field, "is required");
    if (!(value instanceof JsonArray array))
      throw ApiException.validation(field, "must be an array");
    if (array.size() > MAX_RULES) {
      throw ApiException.validation(field, "must have at most " + MAX_RULES + " rules");
    }
    List<Rule> rules = new ArrayList<>(array.size());
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      String ruleField = field + "[" + i + "]";
      Object raw = array.getValue(i);
      Rule rule = Rule.parse(raw, i, ruleField, timeoutMinutes, timeoutAction);
      if (!ids.add(rule.id())) {
        boolean generated = ((JsonObject) raw).getValue("id") == null;
        throw Rule.invalid(
            ruleField + ".id",
            rule.id(),
            ruleField
                + ".id: duplicate rule id "
                + rule.id()
                + (generated
                    ? " (generated from its position; give the rule an explicit id)"
                    : ""));
      }
      rules.add(rule);
    }
    return rules;
  }

  // Whole thresholds are written as integers, the way people write them (40, not 40.0).
  private static Number number(Double d) {
    if (d == null) return null;
    if (d == Math.rint(d) && Math.abs(d) <= 1e15) return d.longValue();
    return d;
  }
}
