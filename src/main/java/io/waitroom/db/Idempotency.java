package io.waitroom.db;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.errors.ApiException;
import io.waitroom.http.Reply;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.Function;

/**
 * {@code Idempotency-Key} for creating POSTs (SPEC 4). The key row is inserted at the start of the
 * same transaction that does the work and holds the response, so: a concurrent duplicate blocks on
 * the key until the first commits and then replays its answer; a rolled-back first attempt leaves
 * no key behind; a crash can never leave a key without its response. Keys live 24 h (scoped per org
 * and caller); the same key with a different body is 409.
 */
public final class Idempotency {
  public static final String HEADER = "Idempotency-Key";
  public static final String REPLAYED = "Idempotent-Replayed";

  private Idempotency() {}

  private static final String CLAIM_KEY =
      """
      INSERT INTO idempotency_keys (org_id, actor_id, key, request_hash, status, response)
      VALUES ($1, $2, $3, $4, 0, '{}')
      ON CONFLICT (org_id, actor_id, key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, status = 0, response = '{}', created_at = now()
        WHERE idempotency_keys.created_at < now() - interval '24 hours'
      RETURNING 1
      """;

  private static final String STORE =
      "UPDATE idempotency_keys SET status = $4, response = $5"
          + " WHERE org_id = $1 AND actor_id = $2 AND key = $3";

  private static final String READ =
      "SELECT request_hash, status, response FROM idempotency_keys"
          + " WHERE org_id = $1 AND actor_id = $2 AND key = $3";

  /** Validates the header; null when absent. */
  public static String key(RoutingContext ctx) {
    String key = ctx.request().getHeader(HEADER);
    if (key == null) return null;
    if (key.isEmpty() || key.length() > 255) {
      throw ApiException.validation(HEADER, "must be 1-255 characters");
    }
    return key;
  }

  /**
   * Runs {@code work} in one transaction, idempotently when the request carries a key. Work that
   * fails rolls everything back (including the key); a Reply (even an error Reply) is stored.
   */
  public static Future<Reply> run(
      RoutingContext ctx, Deps deps, Actor actor, Function<Tx, Future<Reply>> work) {
    String key = key(ctx);
    if (key == null) return Tx.run(deps.vertx(), deps.pool(), work);
    Buffer hash = Buffer.buffer(requestHash(ctx));
    Tuple pk = Tuple.of(actor.orgId(), actor.id(), key);
    return Tx.run(
        deps.vertx(),
        deps.pool(),
        tx ->
            tx.conn()
                .preparedQuery(CLAIM_KEY)
                .execute(Tuple.of(actor.orgId(), actor.id(), key, hash))
                .compose(
                    claimed -> {
                      if (claimed.size() == 1) {
                        return work.apply(tx)
                            .compose(
                                reply ->
                                    tx.conn()
                                        .preparedQuery(STORE)
                                        .execute(
                                            Tuple.of(
                                                actor.orgId(),
                                                actor.id(),
                                                key,
                                                reply.status(),
                                                reply.body()))
                                        .map(reply));
                      }
                      return tx.conn()
                          .preparedQuery(READ)
                          .execute(pk)
                          .map(
                              rows -> {
                                var r = rows.iterator().next();
                                if (!r.getBuffer("request_hash").equals(hash)) {
                                  throw ApiException.conflict(
                                      "Idempotency-Key was already used with a different request");
                                }
                                return new Reply(
                                        r.getInteger("status"),
                                        (io.vertx.core.json.JsonObject) r.getValue("response"))
                                    .withHeader(REPLAYED, "true");
                              });
                    }));
  }

  private static byte[] requestHash(RoutingContext ctx) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(ctx.request().method().name().getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(ctx.normalizedPath().getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      if (ctx.body() != null && ctx.body().buffer() != null)
        md.update(ctx.body().buffer().getBytes());
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
