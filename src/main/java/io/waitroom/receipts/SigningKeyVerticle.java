package io.waitroom.receipts;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this node's public keys in the database (so every node's JWKS lists every key any node
 * signs with) and picks up a rotation: the key file is re-read when it changes (checked every 10 s
 * on a worker thread), and its newest key signs from then on.
 */
public final class SigningKeyVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(SigningKeyVerticle.class);
  static final long CHECK_MS = 10_000;

  static final String REGISTER =
      """
      INSERT INTO signing_keys (kid, jwk)
      SELECT k, j::jsonb FROM unnest($1::text[], $2::text[]) AS t (k, j) ON CONFLICT (kid) DO NOTHING
      """;

  private final Deps deps;
  private long timer;

  public SigningKeyVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(CHECK_MS, id -> check());
    return register(deps.receipts().keys());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private Future<Void> register(SigningKeys keys) {
    JsonArray jwks = keys.jwks().getJsonArray("keys");
    String[] kids = new String[jwks.size()];
    String[] docs = new String[jwks.size()];
    for (int i = 0; i < jwks.size(); i++) {
      kids[i] = jwks.getJsonObject(i).getString("kid");
      docs[i] = jwks.getJsonObject(i).encode();
    }
    return deps.pool()
        .preparedQuery(REGISTER)
        .execute(Tuple.tuple().addArrayOfString(kids).addArrayOfString(docs))
        .mapEmpty();
  }

  private void check() {
    SigningKeys current = deps.receipts().keys();
    vertx
        .executeBlocking(current::reloadIfChanged)
        .compose(
            fresh -> {
              if (fresh == null) return Future.succeededFuture();
              // Published first, then used: a receipt never names a key no JWKS lists.
              return register(fresh)
                  .onSuccess(
                      v -> {
                        deps.receipts().use(fresh);
                        log.info(
                            "signing keys reloaded source={} keys={} signing_kid={}",
                            fresh.source().describe(),
                            fresh.all().size(),
                            fresh.current().kid());
                      });
            })
        .onFailure(e -> log.warn("signing keys not reloaded: {}", e.getMessage()));
  }
}
