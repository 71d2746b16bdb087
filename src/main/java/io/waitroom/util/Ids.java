package io.waitroom.util;

import java.security.SecureRandom;

/**
 * Prefixed, time-ordered identifiers: 48 bits of milliseconds then 80 random bits (strictly
 * increasing within one JVM), written in lower-case Crockford base32 (26 characters), so ids sort
 * by creation time across nodes.
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
  public static final String GRANT = "gr_";

  private Ids() {}

  public static String next(String prefix) {
    return prefix + timeOrdered(System.currentTimeMillis());
  }

  private static final long MASK_40 = (1L << 40) - 1;
  private static final long STEP_MASK = (1L << 48) - 1;
  // The last id handed out in this JVM: its millisecond and its 80 random bits (two halves).
  private static long lastMillis = -1;
  private static long lastHi;
  private static long lastLo;

  /**
   * Strictly increasing within this JVM: ids made in the same millisecond (the rows of one
   * transaction, say) sort in the order they were made, so "newest first" and keyset pages hold
   * even below the clock's resolution. Within a millisecond the random part grows by a random step
   * of up to 2^48, so a neighbour's id still cannot be guessed.
   */
  static synchronized String timeOrdered(long millis) {
    long hi;
    long lo;
    if (millis > lastMillis) {
      byte[] random = new byte[10];
      RANDOM.nextBytes(random);
      hi = 0;
      for (int i = 0; i < 5; i++) hi = (hi << 8) | (random[i] & 0xff);
      lo = 0;
      for (int i = 5; i < 10; i++) lo = (lo << 8) | (random[i] & 0xff);
    } else {
      // Same millisecond (or the clock stepped back): continue after the last id.
      millis = lastMillis;
      lo = lastLo + 1 + (RANDOM.nextLong() & STEP_MASK);
      hi = lastHi + (lo >>> 40);
      lo &= MASK_40;
      if (hi > MASK_40) {
        // The 80 bits ran out: borrow the next millisecond.
        millis = lastMillis + 1;
        hi = RANDOM.nextLong() & (MASK_40 >>> 1);
        lo = RANDOM.nextLong() & MASK_40;
      }
    }
    lastMillis = millis;
    lastHi = hi;
    lastLo = lo;
    return encode(millis, hi, lo);
  }

  private static String encode(long millis, long hi, long lo) {
    char[] out = new char[26];
    // 10 characters of time (50 bits, the top two always zero for the next few millennia).
    long t = millis;
    for (int i = 9; i >= 0; i--) {
      out[i] = ALPHABET[(int) (t & 31)];
      t >>>= 5;
    }
    // 16 characters of randomness (80 bits).
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
