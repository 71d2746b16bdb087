package io.waitroom.client;

import io.waitroom.client.Model.RoomEvent;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies webhook deliveries (Standard Webhooks): {@code webhook-signature} must hold a {@code
 * v1,} base64 HMAC-SHA256 of {@code "{webhook-id}.{webhook-timestamp}.{body}"} keyed with the
 * watcher's secret ({@code whsec_} + base64), and {@code webhook-timestamp} must be within 5
 * minutes.
 */
public final class WebhookVerifier {
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private WebhookVerifier() {}

  /** A delivery that does not check out. */
  public static final class WebhookVerificationException extends RuntimeException {
    public WebhookVerificationException(String message) {
      super(message);
    }
  }

  /**
   * Checks the delivery and returns its event. {@code headers}: names in any case, values a {@code
   * String} or a {@code List<String>} (as servlet containers and {@code HttpHeaders#map()} give
   * them); {@code body}: the raw bytes as received.
   */
  public static RoomEvent verify(String secret, Map<String, ?> headers, byte[] body) {
    return verify(secret, headers, body, DEFAULT_TOLERANCE, Instant.now());
  }

  public static RoomEvent verify(String secret, Map<String, ?> headers, String body) {
    return verify(secret, headers, body.getBytes(StandardCharsets.UTF_8));
  }

  public static RoomEvent verify(
      String secret, Map<String, ?> headers, byte[] body, Duration tolerance, Instant now) {
    String id = header(headers, "webhook-id");
    String timestamp = header(headers, "webhook-timestamp");
    String signatures = header(headers, "webhook-signature");
    if (id == null || timestamp == null || signatures == null) {
      throw new WebhookVerificationException(
          "missing webhook-id, webhook-timestamp or webhook-signature header");
    }
    long ts;
    try {
      ts = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      throw new WebhookVerificationException("webhook-timestamp is not a number of seconds");
    }
    if (Math.abs(now.getEpochSecond() - ts) > tolerance.toSeconds()) {
      throw new WebhookVerificationException("webhook-timestamp is outside the tolerance");
    }
    byte[] key;
    try {
      key =
          Base64.getDecoder()
              .decode(secret.startsWith("whsec_") ? secret.substring("whsec_".length()) : secret);
    } catch (IllegalArgumentException e) {
      throw new WebhookVerificationException("the secret is not whsec_ followed by base64");
    }
    byte[] expected;
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      expected = mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
    boolean ok = false;
    for (String entry : signatures.trim().split(" ")) {
      int comma = entry.indexOf(',');
      if (comma < 0 || !entry.substring(0, comma).equals("v1")) continue;
      byte[] given;
      try {
        given = Base64.getDecoder().decode(entry.substring(comma + 1));
      } catch (IllegalArgumentException e) {
        continue;
      }
      ok |= MessageDigest.isEqual(given, expected);
    }
    if (!ok) throw new WebhookVerificationException("no matching signature");
    try {
      return Transport.JSON.readValue(body, RoomEvent.class);
    } catch (Exception e) {
      throw new WebhookVerificationException("the body is not a JSON event");
    }
  }

  private static String header(Map<String, ?> headers, String name) {
    for (Map.Entry<String, ?> e : headers.entrySet()) {
      if (!e.getKey().equalsIgnoreCase(name)) continue;
      Object v = e.getValue();
      if (v instanceof List<?> l) return l.isEmpty() ? null : String.valueOf(l.get(0));
      return v == null ? null : v.toString();
    }
    return null;
  }
}
