package io.waitroom.http;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.waitroom.errors.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Request validation that names the failing field. Every method throws {@link ApiException} with
 * code {@code VALIDATION_ERROR}; nothing here touches storage, so a failure writes nothing.
 */
public final class Validate {
  public static final int MAX_OBJECT_BYTES = 10 * 1024;

  private Validate() {}

  /** The request body as a JSON object; an empty body counts as {@code {}}. */
  public static JsonObject body(RoutingContext ctx) {
    var body = ctx.body();
    if (body == null || body.buffer() == null || body.length() <= 0) return new JsonObject();
    Object parsed;
    try {
      parsed = Json.decodeValue(body.buffer());
    } catch (DecodeException e) {
      throw ApiException.validation("body", "malformed JSON");
    }
    JsonObject o;
    if (parsed instanceof JsonObject j) {
      o = j;
    } else if (parsed instanceof java.util.Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      var map = (java.util.Map<String, Object>) m;
      o = new JsonObject(map);
    } else {
      throw ApiException.validation("body", "must be a JSON object");
    }
    String bad = unpairedSurrogateAt(o, "");
    if (bad != null) {
      throw ApiException.validation(
          bad.isEmpty() ? "body" : bad,
          "must not contain unpaired surrogates (a \\ud800-\\udfff escape without its pair is"
              + " not a character)");
    }
    return o;
  }

  /**
   * The path of the first string (or key) holding a lone UTF-16 surrogate, or null. JSON allows
   * {@code "\\ud800"} but it is no character: stored as UTF-8 it would silently become "?".
   */
  private static String unpairedSurrogateAt(Object v, String path) {
    if (v instanceof String s) return hasUnpairedSurrogate(s) ? path : null;
    if (v instanceof JsonObject o) {
      for (var e : o) {
        String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        if (hasUnpairedSurrogate(e.getKey())) return p;
        String bad = unpairedSurrogateAt(e.getValue(), p);
        if (bad != null) return bad;
      }
    } else if (v instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        String bad = unpairedSurrogateAt(a.getValue(i), path + "[" + i + "]");
        if (bad != null) return bad;
      }
    }
    return null;
  }

  private static boolean hasUnpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return true;
        }
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  public static String requiredString(JsonObject o, String field, int min, int max) {
    return requiredString(o, field, field, min, max);
  }

  public static String requiredString(JsonObject o, String key, String field, int min, int max) {
    Object v = o.getValue(key);
    if (v == null) throw ApiException.validation(field, "is required");
    return checkString(v, field, min, max);
  }

  /** The string, or null when absent or JSON null. */
  public static String optionalString(JsonObject o, String field, int max) {
    return optionalString(o, field, field, max);
  }

  public static String optionalString(JsonObject o, String key, String field, int max) {
    Object v = o.getValue(key);
    if (v == null) return null;
    return checkString(v, field, 0, max);
  }

  private static String checkString(Object v, String field, int min, int max) {
    if (!(v instanceof String s)) throw ApiException.validation(field, "must be a string");
    if (s.indexOf('\0') >= 0) throw nul(field);
    int len = s.codePointCount(0, s.length());
    if (len < min) {
      throw ApiException.validation(
          field, min == 1 ? "must not be empty" : "must be at least " + min + " characters");
    }
    if (len > max) throw ApiException.validation(field, "must be at most " + max + " characters");
    return s;
  }

  public static String requiredEnum(JsonObject o, String key, String field, Set<String> values) {
    Object v = o.getValue(key);
    if (v == null) throw ApiException.validation(field, "is required");
    return checkEnum(v, field, values);
  }

  public static String optionalEnum(JsonObject o, String field, Set<String> values, String dflt) {
    Object v = o.getValue(field);
    if (v == null) return dflt;
    return checkEnum(v, field, values);
  }

  public static String checkEnum(Object v, String field, Set<String> values) {
    if (!(v instanceof String s)) throw ApiException.validation(field, "must be a string");
    if (!values.contains(s)) {
      throw ApiException.validation(field, "must be one of " + String.join(", ", sorted(values)));
    }
    return s;
  }

  public static Integer optionalInt(JsonObject o, String field, int min, int max) {
    return optionalInt(o, field, field, min, max);
  }

  public static Integer optionalInt(JsonObject o, String key, String field, int min, int max) {
    Object v = o.getValue(key);
    if (v == null) return null;
    return checkInt(v, field, min, max);
  }

  public static int requiredInt(JsonObject o, String key, String field, int min, int max) {
    Object v = o.getValue(key);
    if (v == null) throw ApiException.validation(field, "is required");
    return checkInt(v, field, min, max);
  }

  private static int checkInt(Object v, String field, int min, int max) {
    if (!(v instanceof Number n)
        || n.doubleValue() != Math.rint(n.doubleValue())
        || v instanceof Double && Double.isInfinite((Double) v)) {
      throw ApiException.validation(field, "must be an integer");
    }
    double d = n.doubleValue();
    if (d < min || d > max) {
      throw ApiException.validation(field, "must be between " + min + " and " + max);
    }
    return (int) d;
  }

  public static Boolean optionalBool(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) return null;
    if (!(v instanceof Boolean b)) throw ApiException.validation(field, "must be a boolean");
    return b;
  }

  /** An object of at most 10 KB serialized, or {@code dflt} when absent. */
  public static JsonObject optionalObject(JsonObject o, String field, JsonObject dflt) {
    Object v = o.getValue(field);
    if (v == null) return dflt;
    return checkObject(v, field);
  }

  public static JsonObject requiredObject(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) throw ApiException.validation(field, "is required");
    return checkObject(v, field);
  }

  private static JsonObject checkObject(Object v, String field) {
    if (!(v instanceof JsonObject obj)) throw ApiException.validation(field, "must be an object");
    if (obj.encode().getBytes(StandardCharsets.UTF_8).length > MAX_OBJECT_BYTES) {
      throw ApiException.validation(field, "must be at most 10 KB when serialized");
    }
    if (containsNul(obj)) throw nul(field);
    return obj;
  }

  /** PostgreSQL text and jsonb cannot hold U+0000; refusing it here names the field. */
  private static ApiException nul(String field) {
    return ApiException.validation(field, "must not contain NUL (U+0000) characters");
  }

  private static boolean containsNul(Object v) {
    if (v instanceof String s) return s.indexOf('\0') >= 0;
    if (v instanceof JsonObject o) {
      for (var e : o) {
        if (e.getKey().indexOf('\0') >= 0 || containsNul(e.getValue())) return true;
      }
    } else if (v instanceof JsonArray a) {
      for (Object item : a) if (containsNul(item)) return true;
    }
    return false;
  }

  /** A list of strings, each 1..{@code maxLen} characters, at most {@code maxItems} items. */
  public static List<String> optionalStringList(
      JsonObject o, String field, int maxItems, int maxLen) {
    Object v = o.getValue(field);
    if (v == null) return null;
    if (!(v instanceof JsonArray arr)) throw ApiException.validation(field, "must be an array");
    if (arr.size() > maxItems) {
      throw ApiException.validation(field, "must have at most " + maxItems + " items");
    }
    List<String> out = new ArrayList<>(arr.size());
    for (int i = 0; i < arr.size(); i++) {
      out.add(checkString(arr.getValue(i), field + "[" + i + "]", 1, maxLen));
    }
    return out;
  }

  /** {@code ^[a-z0-9]+(-[a-z0-9]+)*$}, 1..100 characters. */
  public static boolean isSlug(String s) {
    if (s.isEmpty() || s.length() > 100) return false;
    char prev = '-';
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (!alnum && c != '-') return false;
      if (c == '-' && prev == '-') return false;
      prev = c;
    }
    return prev != '-';
  }

  // ---- query parameters ----

  public static int queryLimit(RoutingContext ctx, int dflt) {
    return queryInt(ctx, "limit", 1, 100, dflt);
  }

  public static int queryInt(RoutingContext ctx, String name, int min, int max, int dflt) {
    String s = ctx.request().getParam(name);
    if (s == null) return dflt;
    int v;
    try {
      v = Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw ApiException.validation(name, "must be an integer");
    }
    if (v < min || v > max) {
      throw ApiException.validation(name, "must be between " + min + " and " + max);
    }
    return v;
  }

  public static String queryEnum(RoutingContext ctx, String name, Set<String> values) {
    String s = ctx.request().getParam(name);
    if (s == null) return null;
    return checkEnum(s, name, values);
  }

  public static Boolean queryBool(RoutingContext ctx, String name) {
    String s = ctx.request().getParam(name);
    if (s == null) return null;
    return switch (s) {
      case "true" -> true;
      case "false" -> false;
      default -> throw ApiException.validation(name, "must be true or false");
    };
  }

  public static String queryString(RoutingContext ctx, String name, int max) {
    String s = ctx.request().getParam(name);
    if (s == null) return null;
    return checkString(s, name, 1, max);
  }

  private static List<String> sorted(Set<String> values) {
    return values.stream().sorted().toList();
  }
}
