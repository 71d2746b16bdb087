package io.waitroom.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.errors.ApiException;
import java.util.function.Function;

/**
 * Idempotent work (SPEC 4). The key row is inserted at the start of the same transaction that does
 * the work and holds the answer, so: a concurrent duplicate blocks on the key until the first
 * commits and then replays its answer; a rolled-back first attempt leaves no key behind; a crash
 * can never leave a key without its answer. Keys live 24 h (scoped per org and caller); the same
 * key with a different request is 409.
 */
public final class Idempotency {
  private Idempotency() {}

  /** A caller's key and the hash of the request it came with. */
  public record Key(String orgId, String actorId, String key, byte[] requestHash) {}

  /** What is stored and replayed: a status and a body. */
  public record Answer(int status, JsonObject body) {}

  /** The answer, and whether it is a replay of an earlier request's. */
  public record Stored(Answer answer, boolean replayed) {}

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

  /**
   * Runs {@code work} in one transaction under {@code key}. Work that fails rolls everything back
   * (including the key); an answer, even an error answer, is stored.
   */
  public static Future<Stored> run(
      Vertx vertx, Pool pool, Key key, Function<Tx, Future<Answer>> work) {
    Buffer hash = Buffer.buffer(key.requestHash());
    Tuple pk = Tuple.of(key.orgId(), key.actorId(), key.key());
    return Tx.run(
        vertx,
        pool,
        tx ->
            tx.conn()
                .preparedQuery(CLAIM_KEY)
                .execute(Tuple.of(key.orgId(), key.actorId(), key.key(), hash))
                .compose(
                    claimed -> {
                      if (claimed.size() == 1) {
                        return work.apply(tx)
                            .compose(
                                answer ->
                                    tx.conn()
                                        .preparedQuery(STORE)
                                        .execute(
                                            Tuple.of(
                                                key.orgId(),
                                                key.actorId(),
                                                key.key(),
                                                answer.status(),
                                                answer.body()))
                                        .map(new Stored(answer, false)));
                      }
                      return tx.conn()
                          .preparedQuery(READ)
                          .execute(pk)
                          .map(rows -> replay(rows.iterator().next(), hash));
                    }));
  }

  private static Stored replay(Row r, Buffer hash) {
    if (!r.getBuffer("request_hash").equals(hash)) {
      throw ApiException.conflict("Idempotency-Key was already used with a different request");
    }
    return new Stored(
        new Answer(r.getInteger("status"), (JsonObject) r.getValue("response")), true);
  }
}
