package io.waitroom.validation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.waitroom.errors.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks of JSON fields that name the failing field, shared by the request handlers and the policy
 * parser. Every method throws {@link ApiException} with code {@code VALIDATION_ERROR}; nothing here
 * touches storage, so a failure writes nothing.
 */
public final class Fields {
  public static final int MAX_OBJECT_BYTES = 10 * 1024;

  private Fields() {}

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

  public static String checkString(Object v, String field, int min, int max) {
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

  private static List<String> sorted(Set<String> values) {
    return values.stream().sorted().toList();
  }
}
