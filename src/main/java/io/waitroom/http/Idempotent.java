package io.waitroom.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.waitroom.db.Idempotency;
import io.waitroom.db.Tx;
import io.waitroom.errors.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.Function;

/**
 * The {@code Idempotency-Key} header of a creating POST (SPEC 4), bridged to {@link Idempotency}:
 * the key and a hash of the request go in, the stored answer comes back marked as replayed.
 */
public final class Idempotent {
  public static final String HEADER = "Idempotency-Key";
  public static final String REPLAYED = "Idempotent-Replayed";

  private Idempotent() {}

  /** Validates the header; null when absent. Call it before any work, so a bad key writes none. */
  public static String key(RoutingContext ctx) {
    String key = ctx.request().getHeader(HEADER);
    if (key == null) return null;
    if (key.isEmpty() || key.length() > 255) {
      throw ApiException.validation(HEADER, "must be 1-255 characters");
    }
    return key;
  }

  /**
   * Runs {@code work} in one transaction, idempotently when the request carries a key (scoped to
   * the caller: {@code orgId}, {@code actorId}). A Reply, even an error Reply, is stored.
   */
  public static Future<Reply> run(
      RoutingContext ctx,
      Vertx vertx,
      Pool pool,
      Tx.Author caller,
      Function<Tx, Future<Reply>> work) {
    String key = key(ctx);
    return run(vertx, pool, caller, key, key == null ? null : hash(ctx), work);
  }

  /**
   * As {@link #run(RoutingContext, Vertx, Pool, Tx.Author, Function)} for a request whose key and
   * hash another entry point derives (the Claude Code hook: its session and tool call); {@code key}
   * null runs the work once, without a key.
   */
  public static Future<Reply> run(
      Vertx vertx,
      Pool pool,
      Tx.Author caller,
      String key,
      byte[] requestHash,
      Function<Tx, Future<Reply>> work) {
    if (key == null) return Tx.run(vertx, pool, work);
    var scope = new Idempotency.Key(caller.orgId(), caller.id(), key, requestHash);
    return Idempotency.run(
            vertx,
            pool,
            scope,
            tx -> work.apply(tx).map(r -> new Idempotency.Answer(r.status(), r.body())))
        .map(
            stored -> {
              Reply reply = new Reply(stored.answer().status(), stored.answer().body());
              return stored.replayed() ? reply.withHeader(REPLAYED, "true") : reply;
            });
  }

  /** The hash a request's key is stored with: method, path and body. */
  public static byte[] hash(RoutingContext ctx) {
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
