package io.waitroom.receipts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.erdtman.jcs.NumberToJSON;

/**
 * RFC 8785 JSON Canonicalization Scheme over the values Vert.x parses JSON into: object members
 * sorted by their names' UTF-16 code units, no white space, strings with the minimal escapes, and
 * numbers as IEEE 754 doubles written the way ECMAScript writes them ({@code 1e+21}, {@code 4.5},
 * {@code 0.002}). The number formatting is the reference library's ({@code
 * java-json-canonicalization}); it walks the value tree directly instead of re-parsing text, since
 * it runs on every check-in created. Checked against the RFC's vectors in {@code JcsTest}.
 */
public final class Jcs {
  private Jcs() {}

  /** The canonical form of {@code value}; refuses numbers JSON cannot carry (NaN, infinities). */
  public static String canonicalize(Object value) {
    StringBuilder out = new StringBuilder(256);
    write(out, value);
    return out.toString();
  }

  @SuppressWarnings("unchecked")
  private static void write(StringBuilder out, Object v) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof String s) {
      string(out, s);
    } else if (v instanceof Boolean b) {
      out.append(b ? "true" : "false");
    } else if (v instanceof Number n) {
      out.append(number(n));
    } else if (v instanceof JsonObject o) {
      object(out, o.getMap());
    } else if (v instanceof Map<?, ?> m) {
      object(out, (Map<String, Object>) m);
    } else if (v instanceof JsonArray a) {
      array(out, a.getList());
    } else if (v instanceof List<?> l) {
      array(out, l);
    } else {
      throw new IllegalArgumentException("not a JSON value: " + v.getClass().getSimpleName());
    }
  }

  private static void object(StringBuilder out, Map<String, Object> m) {
    List<String> names = new ArrayList<>(m.keySet());
    // String.compareTo compares UTF-16 code units: the order RFC 8785 section 3.2.3 asks for.
    names.sort(null);
    out.append('{');
    boolean first = true;
    for (String name : names) {
      if (!first) out.append(',');
      first = false;
      string(out, name);
      out.append(':');
      write(out, m.get(name));
    }
    out.append('}');
  }

  private static void array(StringBuilder out, List<?> l) {
    out.append('[');
    for (int i = 0; i < l.size(); i++) {
      if (i > 0) out.append(',');
      write(out, l.get(i));
    }
    out.append(']');
  }

  /** ECMAScript's Number.prototype.toString of the value as a double (RFC 8785 section 3.2.2.3). */
  static String number(Number n) {
    double d = n.doubleValue();
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new IllegalArgumentException("numbers must be finite (got " + n + ")");
    }
    if (d == 0) return "0"; // also -0
    try {
      return NumberToJSON.serializeNumber(d);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
