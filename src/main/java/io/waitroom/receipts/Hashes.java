package io.waitroom.receipts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** {@code sha256:} + lowercase hex of SHA-256: the form of every hash the server publishes. */
public final class Hashes {
  private Hashes() {}

  public static final String PREFIX = "sha256:";

  /** The hash of {@code value}'s RFC 8785 canonical JSON. */
  public static String ofJson(Object value) {
    return sha256(Jcs.canonicalize(value));
  }

  public static String sha256(String text) {
    return PREFIX
        + HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
