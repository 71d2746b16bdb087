package io.waitroom.notify;

/** Text into HTML: every page and e-mail part renders agent-written text through here, as text. */
public final class Html {
  private Html() {}

  public static String escape(String s) {
    if (s == null) return "";
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** At most {@code max} code points, with an ellipsis when cut. */
  public static String cut(String s, int max) {
    if (s == null || s.codePointCount(0, s.length()) <= max) return s;
    return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
  }

  /** One line: control characters (CR, LF, tabs) become spaces, for subjects and headers. */
  public static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("[\\p{Cntrl}\\u2028\\u2029]+", " ").trim();
  }
}
