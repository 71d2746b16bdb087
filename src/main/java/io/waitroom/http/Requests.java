package io.waitroom.http;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.waitroom.errors.ApiException;
import io.waitroom.validation.Fields;
import java.util.Set;

/**
 * The request's body and query parameters, checked like {@link Fields}: every failure is a {@code
 * VALIDATION_ERROR} naming the field or parameter.
 */
public final class Requests {
  private Requests() {}

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
    return Fields.checkEnum(s, name, values);
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
    return Fields.checkString(s, name, 1, max);
  }
}
