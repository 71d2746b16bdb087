package io.waitroom.util;

import java.security.SecureRandom;

/**
 * Prefixed, time-ordered identifiers: 48 bits of milliseconds then 80 random bits, written in
 * lower-case Crockford base32 (26 characters), so ids sort by creation time across nodes.
 */
public final class Ids {
  private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  public static final String ORG = "org_";
  public static final String USER = "usr_";
  public static final String AGENT = "ag_";
  public static final String ROOM = "rm_";
  public static final String CHECK_IN = "ci_";
  public static final String MESSAGE = "msg_";
  public static final String SIGNAL = "sig_";
  public static final String WATCHER = "w_";
  public static final String AUDIT = "aud_";
  public static final String DELIVERY = "dlv_";

  private Ids() {}

  public static String next(String prefix) {
    return prefix + timeOrdered(System.currentTimeMillis());
  }

  static String timeOrdered(long millis) {
    byte[] random = new byte[10];
    RANDOM.nextBytes(random);
    char[] out = new char[26];
    // 10 characters of time (50 bits, the top two always zero for the next few millennia).
    long t = millis;
    for (int i = 9; i >= 0; i--) {
      out[i] = ALPHABET[(int) (t & 31)];
      t >>>= 5;
    }
    // 16 characters of randomness (80 bits).
    long hi = 0;
    for (int i = 0; i < 5; i++) hi = (hi << 8) | (random[i] & 0xff);
    long lo = 0;
    for (int i = 5; i < 10; i++) lo = (lo << 8) | (random[i] & 0xff);
    for (int i = 17; i >= 10; i--) {
      out[i] = ALPHABET[(int) (hi & 31)];
      hi >>>= 5;
    }
    for (int i = 25; i >= 18; i--) {
      out[i] = ALPHABET[(int) (lo & 31)];
      lo >>>= 5;
    }
    return new String(out);
  }

  /** A secret token: the prefix then {@code length} base62 characters (about 5.95 bits each). */
  public static String secret(String prefix, int length) {
    StringBuilder sb = new StringBuilder(prefix.length() + length).append(prefix);
    for (int i = 0; i < length; i++) sb.append(BASE62[RANDOM.nextInt(BASE62.length)]);
    return sb.toString();
  }
}
