package io.waitroom.policy;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.bus.Addresses;
import io.waitroom.bus.LocalCodec;
import io.waitroom.trust.Trust;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The policy and trust engine, asked over the event bus with a room id and a check-in's facts; it
 * answers the whole {@link Verdict} (decision, effective timeout, expiry, trust score), for real
 * check-ins and dry runs (stored or draft policies) alike.
 *
 * <p>Why a verticle: it is the one place per node that keeps parsed room policies (their compiled
 * regexes included), so a room's document is parsed once, not once per check-in. Entries are keyed
 * by room and the room's {@code updated_at}, read with the trust score in the same single query
 * that sends the policies only when the cached copy is stale, so a stale copy is never used even if
 * an invalidation were lost; invalidations drop entries at once. One instance serves the node: the
 * measured check-in rate was the same with one per core (README, Development).
 */
public final class PolicyVerticle extends VerticleBase {
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(5_000);

  /** The room's version and, only when {@code $2} is not that version, its policies. */
  static final String ROOM_AND_TRUST =
      """
      SELECT r.updated_at,
        CASE WHEN r.updated_at IS DISTINCT FROM $2::timestamptz THEN r.policies END AS policies,
        (SELECT t.score FROM trust_scores t WHERE t.agent_id = $3 AND t.room_id = r.id) AS score,
        (SELECT json_agg(json_build_object('id', g.id, 'conditions', g.conditions) ORDER BY g.id)
          FROM grants g WHERE g.room_id = r.id AND g.revoked_at IS NULL AND g.expires_at > now()
            AND (g.max_uses IS NULL OR g.uses < g.max_uses)) AS grants
      FROM rooms r WHERE r.id = $1
      """;

  /** A room's live standing grants (dry runs of a draft; a real check-in reads them above). */
  static final String LIVE_GRANTS =
      """
      SELECT json_agg(json_build_object('id', g.id, 'conditions', g.conditions) ORDER BY g.id)
        AS grants
      FROM grants g WHERE g.room_id = $1 AND g.revoked_at IS NULL AND g.expires_at > now()
        AND (g.max_uses IS NULL OR g.uses < g.max_uses)
      """;

  private record Cached(OffsetDateTime version, PolicyDocument document) {}

  private final Deps deps;
  private final Map<String, Cached> cache = new HashMap<>();
  // A grant's conditions never change, so they are parsed once per node.
  private final Map<String, Conditions> grantConditions = new HashMap<>();

  public PolicyVerticle(Deps deps) {
    this.deps = deps;
  }

  public static void registerCodecs(Vertx vertx) {
    vertx
        .eventBus()
        .registerDefaultCodec(PolicyQuestion.class, new LocalCodec<>(PolicyQuestion.class));
    vertx.eventBus().registerDefaultCodec(Verdict.class, new LocalCodec<>(Verdict.class));
  }

  public static Future<Verdict> ask(Vertx vertx, PolicyQuestion question) {
    return vertx
        .eventBus()
        .<Verdict>request(Addresses.POLICY_EVALUATE, question, ASK)
        .map(Message::body);
  }

  @Override
  public Future<?> start() {
    var bus = vertx.eventBus();
    bus.<String>consumer(Addresses.POLICY_INVALIDATE, m -> cache.remove(m.body()));
    bus.<String>consumer(Addresses.POLICY_INVALIDATE_REMOTE, m -> cache.remove(m.body()));
    return bus.<PolicyQuestion>consumer(
            Addresses.POLICY_EVALUATE,
            m -> answer(m.body()).onSuccess(m::reply).onFailure(e -> m.fail(500, e.getMessage())))
        .completion();
  }

  private Future<Verdict> answer(PolicyQuestion q) {
    int unit = deps.config().timeoutUnitSeconds();
    if (q.draft() != null) {
      return Trust.score(deps.pool(), q.facts().agentId(), q.roomId())
          .compose(
              score ->
                  deps.pool()
                      .preparedQuery(LIVE_GRANTS)
                      .execute(Tuple.of(q.roomId()))
                      .map(
                          rows ->
                              Verdict.of(
                                  q.draft(), q, score, unit, grants(rows.iterator().next()))));
    }
    Cached cached = cache.get(q.roomId());
    return deps.pool()
        .preparedQuery(ROOM_AND_TRUST)
        .execute(
            Tuple.of(q.roomId(), cached == null ? null : cached.version(), q.facts().agentId()))
        .map(
            rows -> {
              if (rows.size() == 0) throw new IllegalStateException("no room " + q.roomId());
              Row r = rows.iterator().next();
              Double score = r.getDouble("score");
              return Verdict.of(
                  document(q.roomId(), r, cached),
                  q,
                  score == null ? Trust.INITIAL : score,
                  unit,
                  grants(r));
            });
  }

  private List<StandingGrant> grants(Row r) {
    Object value = r.getValue("grants");
    if (value == null) return List.of();
    JsonArray rows = value instanceof JsonArray a ? a : new JsonArray(value.toString());
    if (grantConditions.size() > 10_000) grantConditions.clear();
    List<StandingGrant> out = new ArrayList<>(rows.size());
    for (Object o : rows) {
      JsonObject g = (JsonObject) o;
      Conditions c =
          grantConditions.computeIfAbsent(
              g.getString("id"),
              id -> Conditions.parse(g.getJsonObject("conditions"), "conditions"));
      out.add(new StandingGrant(g.getString("id"), c));
    }
    return out;
  }

  private PolicyDocument document(String roomId, Row r, Cached cached) {
    // The column is NOT NULL: no policies in the row means the cached copy is current.
    JsonObject policies = (JsonObject) r.getValue("policies");
    if (policies == null) return cached.document();
    PolicyDocument doc;
    try {
      doc = PolicyDocument.parse(policies, "policies.");
    } catch (RuntimeException e) {
      throw new IllegalStateException("stored policies of room " + roomId + " are invalid");
    }
    cache.put(roomId, new Cached(r.getOffsetDateTime("updated_at"), doc));
    return doc;
  }
}
