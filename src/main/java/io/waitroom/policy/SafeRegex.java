package io.waitroom.policy;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Compiles user-supplied regexes with RE2/J after bounding how large they grow once compiled.
 *
 * <p>RE2/J matches in linear time, but unlike RE2 in C++ it has no memory budget: it expands
 * counted repetitions, so {@code ((a{1000}){1000}){1000}} (25 characters) asks for a billion
 * instructions and exhausts the heap of the whole server. The estimate below follows the same
 * expansion (a repeated atom costs its size times the upper count) and refuses anything over {@link
 * #MAX_PROGRAM_SIZE} before RE2/J sees it. It only needs to be an upper bound on sane input;
 * whatever it misreads, RE2/J still rejects as a syntax error afterwards.
 */
final class SafeRegex {
  /** Roughly RE2/J instructions; 10k compiles in milliseconds and matches 500 chars quickly. */
  static final int MAX_PROGRAM_SIZE = 10_000;

  // Saturation point for the estimate: far above the limit, far below overflow even when
  // multiplied by the largest repeat count we read.
  private static final long CEILING = 1L << 40;
  private static final int MAX_COUNT = 100_000;

  private SafeRegex() {}

  /** The compiled pattern; an {@link IllegalArgumentException} says why the regex is unusable. */
  static Pattern compile(String regex) {
    if (estimateSize(regex) > MAX_PROGRAM_SIZE) {
      throw new IllegalArgumentException(
          "regex is too large once its repetitions are expanded (limit about "
              + MAX_PROGRAM_SIZE
              + " steps); use smaller repeat counts");
    }
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("invalid regex: " + e.getMessage());
    }
  }

  /** An upper estimate of the compiled program size. */
  static long estimateSize(String re) {
    // Per open group: the size of what precedes the group in its parent, and the parent's last
    // atom (the one a quantifier would apply to) at the time the group opened.
    Deque<long[]> open = new ArrayDeque<>();
    long total = 0;
    long last = 0;
    int n = re.length();
    int i = 0;
    while (i < n) {
      char c = re.charAt(i);
      switch (c) {
        case '\\' -> {
          if (i + 1 < n && re.charAt(i + 1) == 'Q') {
            // \Q...\E: every quoted character is its own atom.
            int end = re.indexOf("\\E", i + 2);
            int count = (end < 0 ? n : end) - (i + 2);
            if (count > 0) {
              total = sat(total + last + count - 1);
              last = 1;
            }
            i = end < 0 ? n : end + 2;
          } else {
            total = sat(total + last);
            last = 1;
            i = skipEscape(re, i);
          }
        }
        case '[' -> {
          total = sat(total + last);
          last = 1;
          i = skipClass(re, i);
        }
        case '(' -> {
          int body = i + 1;
          if (body < n && re.charAt(body) == '?') {
            // (?flags), (?flags:...), (?P<name>...): the header is not matched text.
            int k = body + 1;
            while (k < n && ":)>".indexOf(re.charAt(k)) < 0) k++;
            if (k < n && re.charAt(k) == ')') {
              i = k + 1;
              continue;
            }
            body = Math.min(k + 1, n);
          }
          open.push(new long[] {total, last});
          total = 0;
          last = 0;
          i = body;
        }
        case ')' -> {
          long group = sat(total + last + 2);
          if (open.isEmpty()) {
            total = 0; // unbalanced: RE2/J will reject it anyway
          } else {
            long[] parent = open.pop();
            total = sat(parent[0] + parent[1]);
          }
          last = group;
          i++;
        }
        case '|' -> {
          total = sat(total + last + 1);
          last = 0;
          i++;
        }
        case '*', '+', '?' -> {
          last = sat(last + 1);
          i++;
        }
        case '{' -> {
          int[] repeat = parseRepeat(re, i);
          if (repeat == null) { // a literal brace
            total = sat(total + last);
            last = 1;
            i++;
          } else {
            last = sat(last * Math.max(repeat[0], 1) + 1);
            i = repeat[1];
          }
        }
        default -> {
          total = sat(total + last);
          last = 1;
          i++;
        }
      }
    }
    total = sat(total + last);
    while (!open.isEmpty()) { // unclosed groups: also a syntax error, but count them
      long[] parent = open.pop();
      total = sat(parent[0] + parent[1] + total + 2);
    }
    return total;
  }

  private static boolean isAsciiDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static long sat(long v) {
    return Math.min(v, CEILING);
  }

  /** The index after the escape starting at {@code i} ({@code \x{..}}, {@code \p{..}}, ...). */
  private static int skipEscape(String re, int i) {
    int n = re.length();
    if (i + 1 >= n) return n;
    char d = re.charAt(i + 1);
    if ((d == 'x' || d == 'p' || d == 'P') && i + 2 < n && re.charAt(i + 2) == '{') {
      int close = re.indexOf('}', i + 3);
      return close < 0 ? n : close + 1;
    }
    if (d == 'x') return Math.min(i + 4, n);
    if (d == 'p' || d == 'P') return Math.min(i + 3, n);
    return i + 2;
  }

  /** The index after the character class starting at {@code i}. */
  private static int skipClass(String re, int i) {
    int n = re.length();
    int j = i + 1;
    if (j < n && re.charAt(j) == '^') j++;
    if (j < n && re.charAt(j) == ']') j++; // a leading ] is a literal
    while (j < n) {
      char c = re.charAt(j);
      if (c == '\\') {
        j = skipEscape(re, j);
      } else if (c == '[' && j + 1 < n && re.charAt(j + 1) == ':') {
        int close = re.indexOf(":]", j + 2);
        j = close < 0 ? j + 1 : close + 2;
      } else if (c == ']') {
        return j + 1;
      } else {
        j++;
      }
    }
    return n;
  }

  /**
   * For {@code {n}}, {@code {n,}} or {@code {n,m}} at {@code i}: the number of copies the expansion
   * makes (m, or n+1 when open-ended) and the index after the brace; null when the brace is a
   * literal.
   */
  private static int[] parseRepeat(String re, int i) {
    int n = re.length();
    int j = i + 1;
    int min = 0;
    int digits = 0;
    while (j < n && isAsciiDigit(re.charAt(j))) {
      min = Math.min(min * 10 + (re.charAt(j) - '0'), MAX_COUNT);
      j++;
      digits++;
    }
    if (digits == 0 || j >= n) return null;
    if (re.charAt(j) == '}') return new int[] {min, j + 1};
    if (re.charAt(j) != ',') return null;
    j++;
    int max = 0;
    digits = 0;
    while (j < n && isAsciiDigit(re.charAt(j))) {
      max = Math.min(max * 10 + (re.charAt(j) - '0'), MAX_COUNT);
      j++;
      digits++;
    }
    if (j >= n || re.charAt(j) != '}') return null;
    return new int[] {digits == 0 ? min + 1 : Math.max(min, max), j + 1};
  }
}
