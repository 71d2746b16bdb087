package io.waitroom.policy;

import com.google.re2j.Pattern;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.errors.ApiException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The conditions of one rule; a rule matches a check-in when every present (non-null) condition
 * does, so no conditions at all match everything.
 *
 * @param actionContains the action contains any of these, ignoring case
 * @param actionMatches RE2/J regex found anywhere in the action (linear time on any input)
 * @param riskLevel the check-in's risk level is any of these
 * @param urgency the check-in's urgency is any of these
 * @param agentId the checking-in agent is any of these
 * @param context dotted path into the check-in context to the scalar(s) allowed there
 */
public record Conditions(
    AnyOf<String> actionContains,
    Pattern actionMatches,
    AnyOf<String> riskLevel,
    AnyOf<String> urgency,
    AnyOf<String> agentId,
    Map<String, AnyOf<Object>> context) {

  public static final Conditions MATCH_ALL = new Conditions(null, null, null, null, null, null);

  public static final Set<String> RISK_LEVELS = Set.of("low", "medium", "high", "critical");
  public static final Set<String> URGENCIES = Set.of("low", "normal", "high", "urgent");

  static final String ACTION_CONTAINS = "action_contains";
  static final String ACTION_MATCHES = "action_matches";
  static final String RISK_LEVEL = "risk_level";
  static final String URGENCY = "urgency";
  static final String AGENT_ID = "agent_id";
  static final String CONTEXT = "context";
  private static final List<String> KINDS =
      List.of(ACTION_CONTAINS, ACTION_MATCHES, RISK_LEVEL, URGENCY, AGENT_ID, CONTEXT);

  static final int MAX_ITEMS = 100;
  static final int MAX_NEEDLE_LENGTH = 500;
  static final int MAX_REGEX_LENGTH = 1000;
  static final int MAX_AGENT_ID_LENGTH = 200;
  static final int MAX_PATH_LENGTH = 200;
  static final int MAX_SCALAR_LENGTH = 500;

  /**
   * One value or a list of alternatives ("any of").
   *
   * @param single whether the input was a bare value rather than a list, so it is written back the
   *     way it was given
   */
  public record AnyOf<T>(List<T> values, boolean single) {
    public AnyOf {
      values = List.copyOf(values);
      if (values.isEmpty()) throw new IllegalArgumentException("values must not be empty");
      if (single && values.size() != 1) throw new IllegalArgumentException("single needs 1 value");
    }

    Object toJson() {
      return single ? values.get(0) : new JsonArray(new ArrayList<>(values));
    }
  }

  public Conditions {
    if (context != null) context = Collections.unmodifiableMap(new LinkedHashMap<>(context));
  }

  public boolean matches(CheckInFacts facts) {
    if (riskLevel != null && !riskLevel.values().contains(facts.riskLevel())) return false;
    if (urgency != null && !urgency.values().contains(facts.urgency())) return false;
    if (agentId != null
        && (facts.agentId() == null || !agentId.values().contains(facts.agentId()))) {
      return false;
    }
    if (actionContains != null && !containsAny(facts.action(), actionContains.values())) {
      return false;
    }
    if (context != null) {
      for (var entry : context.entrySet()) {
        if (!contextMatches(facts.context(), entry.getKey(), entry.getValue())) return false;
      }
    }
    // Last because it is the most expensive check, not because order changes the answer.
    return actionMatches == null || actionMatches.matcher(facts.action()).find();
  }

  /** The input shape: only the conditions that are present, lists and bare values as given. */
  public JsonObject toJson() {
    JsonObject out = new JsonObject();
    if (actionContains != null) out.put(ACTION_CONTAINS, actionContains.toJson());
    if (actionMatches != null) out.put(ACTION_MATCHES, actionMatches.pattern());
    if (riskLevel != null) out.put(RISK_LEVEL, riskLevel.toJson());
    if (urgency != null) out.put(URGENCY, urgency.toJson());
    if (agentId != null) out.put(AGENT_ID, agentId.toJson());
    if (context != null) {
      JsonObject ctx = new JsonObject();
      context.forEach((path, allowed) -> ctx.put(path, allowed.toJson()));
      out.put(CONTEXT, ctx);
    }
    return out;
  }

  // RE2/J's Pattern has identity equality; two documents with the same regex text are the same
  // policy, so equality compares the source text instead.
  @Override
  public boolean equals(Object o) {
    return o instanceof Conditions c
        && Objects.equals(actionContains, c.actionContains)
        && Objects.equals(source(actionMatches), source(c.actionMatches))
        && Objects.equals(riskLevel, c.riskLevel)
        && Objects.equals(urgency, c.urgency)
        && Objects.equals(agentId, c.agentId)
        && Objects.equals(context, c.context);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        actionContains, source(actionMatches), riskLevel, urgency, agentId, context);
  }

  private static String source(Pattern p) {
    return p == null ? null : p.pattern();
  }

  // ---- parsing ----

  /** Parses a rule's {@code conditions} object; {@code field} is its full path for errors. */
  public static Conditions parse(JsonObject json, String field) {
    for (String key : json.fieldNames()) {
      // Ignoring a misspelt condition would silently widen the rule, so it is an error.
      if (!KINDS.contains(key)) {
        throw ApiException.validation(
            field + "." + key, "unknown condition; expected one of " + String.join(", ", KINDS));
      }
      if (json.getValue(key) == null) {
        throw ApiException.validation(field + "." + key, "must not be null");
      }
    }
    return new Conditions(
        json.containsKey(ACTION_CONTAINS)
            ? strings(
                json.getValue(ACTION_CONTAINS),
                field + "." + ACTION_CONTAINS,
                MAX_NEEDLE_LENGTH,
                null)
            : null,
        json.containsKey(ACTION_MATCHES)
            ? regex(json.getValue(ACTION_MATCHES), field + "." + ACTION_MATCHES)
            : null,
        json.containsKey(RISK_LEVEL)
            ? strings(json.getValue(RISK_LEVEL), field + "." + RISK_LEVEL, 20, RISK_LEVELS)
            : null,
        json.containsKey(URGENCY)
            ? strings(json.getValue(URGENCY), field + "." + URGENCY, 20, URGENCIES)
            : null,
        json.containsKey(AGENT_ID)
            ? strings(json.getValue(AGENT_ID), field + "." + AGENT_ID, MAX_AGENT_ID_LENGTH, null)
            : null,
        json.containsKey(CONTEXT) ? context(json.getValue(CONTEXT), field + "." + CONTEXT) : null);
  }

  /** A string or a non-empty list of strings, each within {@code allowed} when that is given. */
  private static AnyOf<String> strings(Object v, String field, int maxLen, Set<String> allowed) {
    if (v instanceof String s) {
      return new AnyOf<>(List.of(string(s, field, maxLen, allowed)), true);
    }
    if (v instanceof JsonArray arr) {
      checkListSize(arr, field);
      List<String> out = new ArrayList<>(arr.size());
      for (int i = 0; i < arr.size(); i++) {
        String item = field + "[" + i + "]";
        if (!(arr.getValue(i) instanceof String s)) {
          throw ApiException.validation(item, "must be a string");
        }
        out.add(string(s, item, maxLen, allowed));
      }
      return new AnyOf<>(out, false);
    }
    throw ApiException.validation(field, "must be a string or an array of strings");
  }

  private static String string(String s, String field, int maxLen, Set<String> allowed) {
    if (allowed != null) {
      if (!allowed.contains(s)) {
        throw ApiException.validation(
            field, "must be one of " + String.join(", ", allowed.stream().sorted().toList()));
      }
      return s;
    }
    int len = s.codePointCount(0, s.length());
    if (len < 1) throw ApiException.validation(field, "must not be empty");
    if (len > maxLen) {
      throw ApiException.validation(field, "must be at most " + maxLen + " characters");
    }
    return s;
  }

  private static Pattern regex(Object v, String field) {
    if (!(v instanceof String s)) throw ApiException.validation(field, "must be a string");
    string(s, field, MAX_REGEX_LENGTH, null);
    try {
      return SafeRegex.compile(s);
    } catch (IllegalArgumentException e) {
      throw ApiException.validation(field, e.getMessage());
    }
  }

  private static Map<String, AnyOf<Object>> context(Object v, String field) {
    if (!(v instanceof JsonObject obj)) throw ApiException.validation(field, "must be an object");
    if (obj.size() > MAX_ITEMS) {
      throw ApiException.validation(field, "must have at most " + MAX_ITEMS + " paths");
    }
    Map<String, AnyOf<Object>> out = new LinkedHashMap<>();
    for (String path : obj.fieldNames()) {
      String pathField = field + "." + path;
      checkPath(path, pathField);
      Object allowed = obj.getValue(path);
      if (allowed instanceof JsonArray arr) {
        checkListSize(arr, pathField);
        List<Object> values = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
          values.add(scalar(arr.getValue(i), pathField + "[" + i + "]"));
        }
        out.put(path, new AnyOf<>(values, false));
      } else {
        out.put(path, new AnyOf<>(List.of(scalar(allowed, pathField)), true));
      }
    }
    return out;
  }

  private static void checkPath(String path, String field) {
    if (path.isEmpty() || path.length() > MAX_PATH_LENGTH) {
      throw ApiException.validation(field, "path must be 1.." + MAX_PATH_LENGTH + " characters");
    }
    if (path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
      throw ApiException.validation(field, "path must not have empty segments");
    }
  }

  private static Object scalar(Object v, String field) {
    if (v instanceof Boolean) return v;
    if (v instanceof String s) {
      if (s.codePointCount(0, s.length()) > MAX_SCALAR_LENGTH) {
        throw ApiException.validation(
            field, "must be at most " + MAX_SCALAR_LENGTH + " characters");
      }
      return s;
    }
    if (v instanceof Number n && decimal(n) != null) return n;
    throw ApiException.validation(
        field, "must be a string, number or boolean, or a non-empty array of them");
  }

  private static void checkListSize(JsonArray arr, String field) {
    if (arr.isEmpty()) throw ApiException.validation(field, "must not be an empty array");
    if (arr.size() > MAX_ITEMS) {
      throw ApiException.validation(field, "must have at most " + MAX_ITEMS + " items");
    }
  }

  // ---- matching ----

  private static boolean containsAny(String action, List<String> needles) {
    String haystack = action.toLowerCase(Locale.ROOT);
    for (String needle : needles) {
      if (haystack.contains(needle.toLowerCase(Locale.ROOT))) return true;
    }
    return false;
  }

  private static boolean contextMatches(JsonObject ctx, String path, AnyOf<Object> allowed) {
    Object value = ctx;
    int start = 0;
    while (true) {
      if (!(value instanceof JsonObject obj)) return false;
      int dot = path.indexOf('.', start);
      String segment = dot < 0 ? path.substring(start) : path.substring(start, dot);
      value = obj.getValue(segment);
      if (dot < 0) break;
      start = dot + 1;
    }
    for (Object candidate : allowed.values()) {
      if (scalarEquals(value, candidate)) return true;
    }
    return false;
  }

  /** Strings and booleans by equality, numbers by value (1 equals 1.0); anything else never. */
  private static boolean scalarEquals(Object actual, Object expected) {
    if (actual instanceof Number a && expected instanceof Number e) {
      BigDecimal x = decimal(a);
      BigDecimal y = decimal(e);
      return x != null && y != null && x.compareTo(y) == 0;
    }
    if (actual instanceof String || actual instanceof Boolean) return actual.equals(expected);
    return false;
  }

  /** The exact decimal value of a JSON number, or null for NaN and infinities. */
  private static BigDecimal decimal(Number n) {
    if (n instanceof BigDecimal d) return d;
    if (n instanceof BigInteger i) return new BigDecimal(i);
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      return BigDecimal.valueOf(n.longValue());
    }
    double d = n.doubleValue();
    if (!Double.isFinite(d)) return null;
    // toString gives the shortest decimal that round-trips, so 0.1 stays 0.1, not 0.1000...0555.
    return new BigDecimal(n instanceof Float f ? Float.toString(f) : Double.toString(d));
  }
}
