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
   * $4; the trust score of agent $5 there (null for none); its live grants; whether the org has a
   * push subscription; whether the room posts to Slack; and the transaction's {@code now()}.
   */
  static final String READ =
      """
      SELECT r.id, r.org_id, r.slug, r.name, r.description, r.created_by, r.created_at,
        r.updated_at, now() AS now,
        CASE WHEN r.id IS DISTINCT FROM $3 OR r.updated_at IS DISTINCT FROM $4::timestamptz
          THEN r.policies END AS policies,
        (SELECT t.score FROM trust_scores t WHERE t.agent_id = $5 AND t.room_id = r.id) AS score,
        (SELECT json_agg(json_build_object('id', g.id, 'conditions', g.conditions) ORDER BY g.id)
          FROM grants g WHERE g.room_id = r.id AND g.revoked_at IS NULL AND g.expires_at > now()
            AND (g.max_uses IS NULL OR g.uses < g.max_uses)) AS grants,
        EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.org_id = r.org_id) AS pushes,
        EXISTS (SELECT 1 FROM slack_rooms s WHERE s.room_id = r.id) AS slack
      FROM rooms r WHERE r.org_id = $1 AND (r.slug = $2 OR r.id = $2)
      ORDER BY (r.slug = $2) DESC LIMIT 1
      """;

  /**
   * One read of a room for the engine: the room (its {@code policies} field is left out), its
   * parsed stored policies, the agent's trust there, the live grants, and whether the org has any
   * Web Push subscription; and {@code now}, the {@code now()} of the transaction it was read in
   * (PostgreSQL's: the transaction's start, the same in each of its statements).
   */
  public record Read(
      Room room,
      PolicyDocument stored,
      double trustScore,
      List<StandingGrant> grants,
      boolean pushes,
      boolean slack,
      OffsetDateTime now) {}

  /**
   * What a check-in is decided against: the room, the engine's whole answer, and whether the org
   * has any Web Push subscription (read in the same snapshot the push queue's insert would use: so
   * without one, that statement is not sent at all), whether the room posts to a Slack channel (the
   * same for the Slack queue), and the transaction's {@code now()}. E-mail needs nothing here: its
   * queue is filled from the committed {@code checkin.created} events ({@code MailQueue.EXPAND}).
   */
  public record Decided(
      Room room, Verdict verdict, boolean pushes, boolean slack, OffsetDateTime now) {}

  private record Cached(OffsetDateTime version, PolicyDocument document) {}

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
    return read(db, agent.orgId(), ref, agent.id())
        .map(
            read -> {
              if (!agent.mayUseRoom(read.room().id())) {
                throw ApiException.forbidden(
                    "this agent key is not scoped to room " + read.room().slug());
              }
              Verdict v = verdict(read, facts, timeoutMinutes, timeoutAction, null);
              return new Decided(read.room(), v, read.pushes(), read.slack(), read.now());
            });
  }

  /** Room {@code ref} of {@code orgId} in one statement (404 when there is none). */
  public Future<Read> read(SqlClient db, String orgId, String ref, String agentId) {
    if (ref == null || ref.isEmpty() || ref.length() > 200) {
      return Future.failedFuture(ApiException.notFound("room"));
    }
    String refKey = orgId + '\0' + ref;
    String guess = roomOfRef.get(refKey);
    Cached cached = guess == null ? null : byRoom.get(guess);
    Tuple params =
        Tuple.of(
            orgId,
            ref,
            cached == null ? null : guess,
            cached == null ? null : cached.version(),
            agentId);
    return db.preparedQuery(READ)
        .execute(params)
        .map(
            rows -> {
              if (rows.size() == 0) throw ApiException.notFound("room");
              Row r = rows.iterator().next();
              Room room = Room.fromRow(r);
              if (roomOfRef.size() > MAX_ENTRIES) roomOfRef.clear();
              roomOfRef.put(refKey, room.id());
              Double score = r.getDouble("score");
              return new Read(
                  room,
                  document(r, cached),
                  score == null ? Trust.INITIAL : score,
                  grants(r),
                  r.getBoolean("pushes"),
                  Boolean.TRUE.equals(r.getBoolean("slack")),
                  r.getOffsetDateTime("now"));
            });
  }

  /** The engine's answer on {@code facts} in the room read, under {@code draft} if given. */
  public Verdict verdict(
      Read read,
      CheckInFacts facts,
      Integer timeoutMinutes,
      String timeoutAction,
      PolicyDocument draft) {
    PolicyQuestion q =
        new PolicyQuestion(read.room().id(), facts, timeoutMinutes, timeoutAction, draft);
    PolicyDocument doc = draft != null ? draft : read.stored();
    return Verdict.of(doc, q, read.trustScore(), unitSeconds, read.grants());
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
    byRoom.put(roomId, new Cached(r.getOffsetDateTime("updated_at"), doc));
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
