package io.waitroom.auth;

import io.waitroom.util.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Agent API keys: {@code wr_} + 40 base62 characters (about 238 random bits). Stored as a lookup
 * prefix plus the SHA-256 of the whole key; the hash is compared in constant time.
 */
public final class AgentKeys {
  public static final String PREFIX = "wr_";

  /** Characters of the key used as its lookup prefix (includes {@code wr_}). */
  public static final int LOOKUP_LENGTH = 12;

  private AgentKeys() {}

  public static String newKey() {
    return Ids.secret(PREFIX, 40);
  }

  public static String newClaimToken() {
    return Ids.secret("wrc_", 32);
  }

  public static String lookupPrefix(String key) {
    return key.substring(0, Math.min(LOOKUP_LENGTH, key.length()));
  }

  public static byte[] hash(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static boolean matches(String presented, byte[] storedHash) {
    return MessageDigest.isEqual(hash(presented), storedHash);
  }

  /** Shape check before touching the database: {@code wr_} and 32..200 base62 characters. */
  public static boolean wellFormed(String key) {
    if (!key.startsWith(PREFIX) || key.length() < PREFIX.length() + 32 || key.length() > 203) {
      return false;
    }
    for (int i = PREFIX.length(); i < key.length(); i++) {
      char c = key.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
        return false;
      }
    }
    return true;
  }
}
