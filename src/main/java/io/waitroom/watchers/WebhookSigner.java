package io.waitroom.watchers;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the secret is {@code whsec_}
 * then base64 of random bytes; {@code webhook-signature} is {@code v1,} then base64 of HMAC-SHA256
 * over {@code "{webhook-id}.{webhook-timestamp}.{body}"}, keyed with the decoded bytes. Receivers
 * verify with any Standard Webhooks (or Svix) library.
 */
public final class WebhookSigner {
  public static final String PREFIX = "whsec_";
  static final int SECRET_BYTES = 24;
  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSigner() {}

  public static String newSecret() {
    byte[] key = new byte[SECRET_BYTES];
    RANDOM.nextBytes(key);
    return PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /** Every header of one signed attempt: content, Waitroom's own, and the three signature ones. */
  static MultiMap headers(
      String secret, String deliveryId, String watcherId, String eventType, Buffer body) {
    long timestamp = Instant.now().getEpochSecond();
    return MultiMap.caseInsensitiveMultiMap()
        .add("Content-Type", "application/json")
        .add("User-Agent", "Waitroom-Webhooks/1")
        .add("X-Watcher-Id", watcherId)
        .add("X-Waitroom-Event", eventType)
        .add("webhook-id", deliveryId)
        .add("webhook-timestamp", Long.toString(timestamp))
        .add("webhook-signature", sign(secret, deliveryId, timestamp, body.getBytes()));
  }

  /** The {@code webhook-signature} header value. */
  public static String sign(String secret, String id, long timestamp, byte[] body) {
    String b64 = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
    byte[] key = Base64.getDecoder().decode(b64);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      mac.update(body);
      return "v1," + Base64.getEncoder().encodeToString(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
