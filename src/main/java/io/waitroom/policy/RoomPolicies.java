package io.waitroom.policy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import io.waitroom.auth.Actor;
import io.waitroom.bus.Addresses;
import io.waitroom.errors.ApiException;
import io.waitroom.rooms.Room;
import io.waitroom.trust.Trust;
import io.waitroom.util.Time;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The policy and trust engine, evaluated on the caller's event loop: one query reads the room (by
 * slug or id), the agent's trust score, the live standing grants and, only when this node's parsed
 * copy is stale, the room's policies. A check-in runs it as the first statement of its own
 * transaction, so what the engine saw and what is written come from one round trip and one
 * connection.
 *
 * <p>Parsed documents (compiled regexes included) are kept per node, keyed by room and the room's
 * {@code updated_at}. The version travels with every read, so a stale copy is never used, on this
 * node or another, even if an invalidation were lost; invalidations only free memory early.
 * Everything here is immutable or concurrent: every HTTP verticle shares one instance.
 */
public final class RoomPolicies {

  /**
   * The room $2 (slug or id) of org $1, with its policies only when it is not room $3 at version
   * $4; the trust score of agent $5 there; its live grants.
   */
  static final String FOR_CHECK_IN =
      """
      SELECT r.id, r.org_id, r.slug, r.name, r.description, r.created_by, r.created_at,
        r.updated_at,
        CASE WHEN r.id IS DISTINCT FROM $3 OR r.updated_at IS DISTINCT FROM $4::timestamptz
          THEN r.policies END AS policies,
        (SELECT t.score FROM trust_scores t WHERE t.agent_id = $5 AND t.room_id = r.id) AS score,
        (SELECT json_agg(json_build_object('id', g.id, 'conditions', g.conditions) ORDER BY g.id)
          FROM grants g WHERE g.room_id = r.id AND g.revoked_at IS NULL AND g.expires_at > now()
            AND (g.max_uses IS NULL OR g.uses < g.max_uses)) AS grants,
        EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.org_id = r.org_id) AS pushes
      FROM rooms r WHERE r.org_id = $1 AND (r.slug = $2 OR r.id = $2)
      ORDER BY (r.slug = $2) DESC LIMIT 1
      """;

  /** A room's live standing grants (dry runs of a draft). */
  static final String LIVE_GRANTS =
      """
      SELECT json_agg(json_build_object('id', g.id, 'conditions', g.conditions) ORDER BY g.id)
        AS grants
      FROM grants g WHERE g.room_id = $1 AND g.revoked_at IS NULL AND g.expires_at > now()
        AND (g.max_uses IS NULL OR g.uses < g.max_uses)
      """;

  /**
   * What a check-in is decided against: the room, the engine's whole answer, and whether the org
   * has any Web Push subscription (read in the same snapshot the push queue's insert would use: so
   * without one, that statement is not sent at all).
   */
  public record Decided(Room room, Verdict verdict, boolean pushes) {}

  private record Cached(String roomId, OffsetDateTime version, PolicyDocument document) {}

  private static final int MAX_ENTRIES = 10_000;

  private final int unitSeconds;
  private final Map<String, Cached> byRoom = new ConcurrentHashMap<>();
  // "org\0ref" -> room id: which cached copy to offer the query (a wrong guess costs a re-parse).
  private final Map<String, String> roomOfRef = new ConcurrentHashMap<>();
  // A grant's conditions never change, so they are parsed once per node.
  private final Map<String, Conditions> grantConditions = new ConcurrentHashMap<>();

  public RoomPolicies(int unitSeconds) {
    this.unitSeconds = unitSeconds;
  }

  /** Drops a room's parsed copy when its policies change, here or (through Redis) elsewhere. */
  public Future<Void> listen(Vertx vertx) {
    var bus = vertx.eventBus();
    return Future.all(
            bus.<String>consumer(Addresses.POLICY_INVALIDATE, m -> byRoom.remove(m.body()))
                .completion(),
            bus.<String>consumer(Addresses.POLICY_INVALIDATE_REMOTE, m -> byRoom.remove(m.body()))
                .completion())
        .mapEmpty();
  }

  /**
   * The room {@code ref} as {@code agent} may use it (404 outside its org, 403 outside its scopes)
   * and the verdict on {@code facts} there, read through {@code db} (a check-in's transaction).
   */
  public Future<Decided> forCheckIn(
      SqlClient db,
      Actor.Agent agent,
      String ref,
      CheckInFacts facts,
      Integer timeoutMinutes,
      String timeoutAction) {
    if (ref == null || ref.isEmpty() || ref.length() > 200) {
      return Future.failedFuture(ApiException.notFound("room"));
    }
    String refKey = agent.orgId() + '\0' + ref;
    String guess = roomOfRef.get(refKey);
    Cached cached = guess == null ? null : byRoom.get(guess);
    Tuple params =
        Tuple.of(
            agent.orgId(),
            ref,
            cached == null ? null : cached.roomId(),
            cached == null ? null : cached.version(),
            agent.id());
    return db.preparedQuery(FOR_CHECK_IN)
        .execute(params)
        .map(
            rows -> {
              if (rows.size() == 0) throw ApiException.notFound("room");
              Row r = rows.iterator().next();
              String roomId = r.getString("id");
              if (!agent.mayUseRoom(roomId)) {
                throw ApiException.forbidden(
                    "this agent key is not scoped to room " + r.getString("slug"));
              }
              if (roomOfRef.size() > MAX_ENTRIES) roomOfRef.clear();
              roomOfRef.put(refKey, roomId);
              PolicyDocument doc = document(r, cached);
              Room room =
                  new Room(
                      roomId,
                      r.getString("org_id"),
                      r.getString("slug"),
                      r.getString("name"),
                      r.getString("description"),
                      null,
                      r.getString("created_by"),
                      Time.iso(r.getOffsetDateTime("created_at")),
                      Time.iso(r.getOffsetDateTime("updated_at")));
              Double score = r.getDouble("score");
              PolicyQuestion q =
                  new PolicyQuestion(roomId, facts, timeoutMinutes, timeoutAction, null);
              Verdict v =
                  Verdict.of(doc, q, score == null ? Trust.INITIAL : score, unitSeconds, grants(r));
              return new Decided(room, v, r.getBoolean("pushes"));
            });
  }

  /**
   * A dry run: the verdict on {@code facts} in {@code room} under {@code draft} (or the room's own
   * policies when null), with the agent's trust and the room's live grants.
   */
  public Future<Verdict> dryRun(
      SqlClient db,
      Room room,
      CheckInFacts facts,
      Integer timeoutMinutes,
      String timeoutAction,
      PolicyDocument draft) {
    PolicyQuestion q = new PolicyQuestion(room.id(), facts, timeoutMinutes, timeoutAction, draft);
    PolicyDocument doc = draft != null ? draft : parse(room.id(), room.policies());
    return Trust.score(db, facts.agentId(), room.id())
        .compose(
            score ->
                db.preparedQuery(LIVE_GRANTS)
                    .execute(Tuple.of(room.id()))
                    .map(
                        rows ->
                            Verdict.of(
                                doc, q, score, unitSeconds, grants(rows.iterator().next()))));
  }

  private List<StandingGrant> grants(Row r) {
    Object value = r.getValue("grants");
    if (value == null) return List.of();
    JsonArray rows = value instanceof JsonArray a ? a : new JsonArray(value.toString());
    if (grantConditions.size() > MAX_ENTRIES) grantConditions.clear();
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

  private PolicyDocument document(Row r, Cached cached) {
    // The column is NOT NULL: no policies in the row means the offered copy is current.
    JsonObject policies = (JsonObject) r.getValue("policies");
    if (policies == null) return cached.document();
    String roomId = r.getString("id");
    PolicyDocument doc = parse(roomId, policies);
    if (byRoom.size() > MAX_ENTRIES) byRoom.clear();
    byRoom.put(roomId, new Cached(roomId, r.getOffsetDateTime("updated_at"), doc));
    return doc;
  }

  private static PolicyDocument parse(String roomId, JsonObject policies) {
    try {
      return PolicyDocument.parse(policies, "policies.");
    } catch (RuntimeException e) {
      throw new IllegalStateException("stored policies of room " + roomId + " are invalid");
    }
  }
}
