package io.waitroom.notify;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Action links: the one decision surface every channel (e-mail, Web Push, Slack, a link minted by
 * the API) hands to a human. A link is {@code <public url>/d/<token>}: 256 random bits, of which
 * only the SHA-256 is stored, bound to one human, one check-in and one verdict ({@code approve},
 * {@code reject}, or {@code open}, which only leads to the dashboard). It is single-use, expires
 * with the check-in (at most 7 days; a {@code hold} check-in: 7 days) and is dead once the check-in
 * is decided by anyone, because deciding is the same conditional transition as the API. Links are
 * minted when a message is sent, never stored in clear, and never logged.
 */
public final class ActionLinks {
  private ActionLinks() {}

  public static final String PATH = "/d/";
  static final int TOKEN_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The three links of one human for one check-in (absolute URLs) and when they expire. */
  public record Minted(String approve, String reject, String open, String expiresAt) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("approve", approve)
          .put("reject", reject)
          .put("open", open)
          .put("expires_at", expiresAt);
    }
  }

  /**
   * Inserts one row per verdict for a check-in that is still decidable (a pending agent check-in, a
   * submitted task) and belongs to org $2, for human $3 of that org; nothing otherwise. $4 the
   * channel ({@code via}), $5 the tokens' hashes, $6 their verdicts.
   */
  static final String MINT =
      """
      INSERT INTO action_links (token_hash, org_id, user_id, check_in_id, verdict, via, expires_at)
      SELECT t.h, c.org_id, $3, c.id, t.v, $4,
        LEAST(COALESCE(c.expires_at, now() + interval '7 days'), now() + interval '7 days')
      FROM check_ins c, unnest($5::bytea[], $6::text[]) AS t (h, v)
      WHERE c.id = $1 AND c.org_id = $2
        AND c.status = CASE c.direction WHEN 'agent_to_human' THEN 'pending' ELSE 'submitted' END
        AND EXISTS (SELECT 1 FROM users u WHERE u.id = $3 AND u.org_id = $2)
      RETURNING verdict, expires_at
      """;

  /** A link and its human, whatever its state (the page explains a used or expired one). */
  static final String FIND =
      """
      SELECT l.org_id, l.user_id, l.check_in_id, l.verdict, l.via, l.expires_at,
        l.used_at IS NOT NULL AS used, l.expires_at <= now() AS expired, u.subject, u.name
      FROM action_links l JOIN users u ON u.id = l.user_id
      WHERE l.token_hash = $1
      """;

  /**
   * Spends a link: only an unused, unexpired decision link. The row lock queues concurrent posts of
   * one link, and each re-checks {@code used_at IS NULL}: one winner.
   */
  static final String USE =
      """
      UPDATE action_links SET used_at = now()
      WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() AND verdict <> 'open'
      RETURNING org_id, user_id, check_in_id, verdict, via
      """;

  /** Links a week past their expiry, a batch at a time (housekeeping). */
  public static final String DELETE_OLD =
      """
      DELETE FROM action_links WHERE token_hash IN (
        SELECT token_hash FROM action_links WHERE expires_at < now() - interval '7 days'
        LIMIT 1000)
      """;

  /**
   * Mints the approve, reject and open links of human {@code userId} for check-in {@code
   * checkInId}; null when the check-in can no longer be decided (it went away or was decided).
   *
   * @param base the server's public URL ({@code WAITROOM_PUBLIC_URL})
   * @param via the channel the links travel by: {@code email}, {@code push}, {@code slack} or
   *     {@code link}
   */
  public static Future<Minted> mint(
      SqlClient db, String base, String orgId, String userId, String checkInId, String via) {
    String approve = newToken();
    String reject = newToken();
    String open = newToken();
    Buffer[] hashes = {hashOf(approve), hashOf(reject), hashOf(open)};
    String[] verdicts = {"approve", "reject", "open"};
    return db.preparedQuery(MINT)
        .execute(Tuple.of(checkInId, orgId, userId, via, hashes, verdicts))
        .map(
            rows -> {
              if (rows.size() != 3) return null;
              Row r = rows.iterator().next();
              return new Minted(
                  base + PATH + approve,
                  base + PATH + reject,
                  base + PATH + open,
                  io.waitroom.util.Time.iso(r.getOffsetDateTime("expires_at")));
            });
  }

  static String newToken() {
    byte[] b = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Whether {@code token} has the shape of a minted token (43 base64url characters). */
  static boolean wellFormed(String token) {
    return token != null && token.length() == 43 && token.matches("[A-Za-z0-9_-]{43}");
  }

  static Buffer hashOf(String token) {
    try {
      return Buffer.buffer(
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
