package io.waitroom.stats;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.errors.ApiException;
import io.waitroom.http.Reply;
import io.waitroom.http.Routes;
import io.waitroom.rooms.Room;
import io.waitroom.rooms.RoomRepository;
import io.waitroom.util.Time;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * How decisions go, for the dashboard's overview and Insights: {@code GET /v1/stats} (a time series
 * of outcomes and time to decision, plus the trust history) and {@code GET /v1/stats/rooms} (per
 * room: what waits, since when, what was decided). Every number is a SQL aggregate over indexed
 * columns ({@code check_ins_decided}, {@code check_ins_room_decided}, {@code trust_history_room});
 * no row is loaded into Java to be counted.
 */
public final class StatsRoutes {
  static final Set<String> BUCKETS = Set.of("hour", "day");
  static final Duration MAX_HOURLY = Duration.ofDays(31);
  static final Duration MAX_DAILY = Duration.ofDays(366);

  /** Trust points returned at most; past it {@code trust_truncated} is true. */
  static final int MAX_TRUST_POINTS = 5000;

  /**
   * One row per bucket ($4 'hour' or 'day', aligned in UTC) between $2 and $3, and a last row
   * (start null) for the whole range: counts per outcome and the 50th/90th percentile of the
   * seconds from creation to a human's decision. %s: the room condition (a constant, one of two).
   */
  static final String SERIES =
      """
      WITH buckets AS (
        SELECT g AS start FROM generate_series(date_trunc($4, $2::timestamptz, 'UTC'),
          $3::timestamptz - interval '1 microsecond', ('1 ' || $4)::interval) g),
      decided AS (
        SELECT date_trunc($4, decided_at, 'UTC') AS start, %s AS outcome,
          CASE WHEN left(decided_by, 4) = 'usr_'
            THEN extract(epoch FROM decided_at - created_at)::double precision END AS secs
        FROM check_ins
        WHERE org_id = $1 AND %s AND decided_at >= $2 AND decided_at < $3
          AND direction = 'agent_to_human')
      SELECT b.start, count(d.outcome) AS decided,
        count(*) FILTER (WHERE d.outcome = 'approved') AS approved,
        count(*) FILTER (WHERE d.outcome = 'modified') AS modified,
        count(*) FILTER (WHERE d.outcome = 'rejected') AS rejected,
        count(*) FILTER (WHERE d.outcome = 'expired') AS expired,
        count(*) FILTER (WHERE d.outcome = 'auto_approved') AS auto_approved,
        count(*) FILTER (WHERE d.outcome = 'forbidden') AS forbidden,
        count(d.secs) AS human_decided,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY d.secs) AS p50,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY d.secs) AS p90
      FROM buckets b LEFT JOIN decided d ON d.start = b.start
      GROUP BY GROUPING SETS ((b.start), ())
      ORDER BY b.start NULLS LAST
      """;

  static final String ANY_ROOM = "$5::text IS NULL";
  static final String ONE_ROOM = "room_id = $5";

  /**
   * The trust changes in [$2, $3), each (agent, room)'s last score before $2 first (its line's
   * start), in time order; %s the room condition ($4 the room), $5 the most points.
   */
  static final String TRUST =
      """
      (SELECT DISTINCT ON (h.agent_id, h.room_id) h.agent_id, h.room_id, h.score, h.outcome, h.at,
        true AS before
      FROM trust_history h
      WHERE h.org_id = $1 AND %1$s AND h.at < $2
      ORDER BY h.agent_id, h.room_id, h.at DESC)
      UNION ALL
      (SELECT h.agent_id, h.room_id, h.score, h.outcome, h.at, false AS before
      FROM trust_history h
      WHERE h.org_id = $1 AND %1$s AND h.at >= $2 AND h.at < $3
      ORDER BY h.at LIMIT $5)
      """;

  static final String AGENT_NAMES =
      "SELECT id, name FROM agents WHERE org_id = $1 AND id = ANY ($2)";

  /**
   * Per room of org $1: pending agent check-ins and the oldest one's age; decisions since UTC
   * midnight; the median seconds to a human's decision over the last 7 days.
   */
  static final String ROOMS =
      """
      SELECT r.id, r.slug, r.name, p.pending, p.oldest, d.decided_today, d.median
      FROM rooms r
      LEFT JOIN LATERAL (
        SELECT count(*) AS pending, min(created_at) AS oldest FROM check_ins c
        WHERE c.org_id = r.org_id AND c.room_id = r.id AND c.status = 'pending'
          AND c.direction = 'agent_to_human') p ON true
      LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE c.decided_at >= date_trunc('day', now(), 'UTC'))
            AS decided_today,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.decided_at - c.created_at))
            FILTER (WHERE left(c.decided_by, 4) = 'usr_') AS median
        FROM check_ins c
        WHERE c.org_id = r.org_id AND c.room_id = r.id AND c.decided_at >= now() - interval '7 days'
          AND c.direction = 'agent_to_human') d ON true
      WHERE r.org_id = $1
      ORDER BY r.name, r.id
      LIMIT 500
      """;

  private final Deps deps;

  private StatsRoutes(Deps deps) {
    this.deps = deps;
  }

  public static void mount(Router router, Deps deps) {
    StatsRoutes r = new StatsRoutes(deps);
    Routes.on(router).get("/v1/stats", r::stats).get("/v1/stats/rooms", r::rooms);
  }

  /** The query's range: {@code to} defaults to now, {@code from} to one bucket-span back. */
  record Range(Instant from, Instant to, String bucket) {
    static Range parse(RoutingContext ctx) {
      String bucket = ctx.request().getParam("bucket");
      if (bucket == null) bucket = "day";
      if (!BUCKETS.contains(bucket)) throw ApiException.validation("bucket", "must be hour or day");
      Instant to = instant(ctx, "to");
      if (to == null) to = Instant.now();
      Instant from = instant(ctx, "from");
      Duration max = "hour".equals(bucket) ? MAX_HOURLY : MAX_DAILY;
      if (from == null)
        from = to.minus("hour".equals(bucket) ? Duration.ofDays(1) : Duration.ofDays(7));
      if (!from.isBefore(to)) throw ApiException.validation("from", "must be before to");
      if (Duration.between(from, to).compareTo(max) > 0) {
        throw ApiException.validation(
            "from", "the range spans at most " + max.toDays() + " days with bucket=" + bucket);
      }
      return new Range(from, to, bucket);
    }

    private static Instant instant(RoutingContext ctx, String name) {
      String s = ctx.request().getParam(name);
      if (s == null) return null;
      try {
        return OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e) {
        throw ApiException.validation(
            name, "must be an ISO-8601 timestamp with an offset, like 2026-01-31T00:00:00Z");
      }
    }
  }

  private Future<Reply> stats(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    Range range = Range.parse(ctx);
    String ref = ctx.request().getParam("room");
    Future<Room> room =
        ref == null || ref.isEmpty()
            ? Future.succeededFuture(null)
            : RoomRepository.visible(deps.pool(), human, ref);
    return room.compose(
        r -> {
          String roomId = r == null ? null : r.id();
          String where = r == null ? ANY_ROOM : ONE_ROOM;
          OffsetDateTime from = range.from().atOffset(ZoneOffset.UTC);
          OffsetDateTime to = range.to().atOffset(ZoneOffset.UTC);
          Future<RowSet<Row>> series =
              deps.pool()
                  .preparedQuery(SERIES.formatted(Outcomes.SQL, where))
                  .execute(Tuple.of(human.orgId(), from, to, range.bucket(), roomId));
          Future<RowSet<Row>> trust =
              deps.pool()
                  .preparedQuery(TRUST.formatted(r == null ? "$4::text IS NULL" : "h.room_id = $4"))
                  .execute(Tuple.of(human.orgId(), from, to, roomId, MAX_TRUST_POINTS + 1));
          return Future.all(series, trust)
              .compose(
                  v ->
                      trustJson(human.orgId(), trust.result())
                          .map(
                              t ->
                                  Reply.ok(
                                      seriesJson(series.result())
                                          .put("room_id", roomId)
                                          .put("from", Time.iso(range.from()))
                                          .put("to", Time.iso(range.to()))
                                          .put("bucket", range.bucket())
                                          .put("trust", t.getJsonArray("series"))
                                          .put("trust_truncated", t.getBoolean("truncated")))));
        });
  }

  static JsonObject seriesJson(RowSet<Row> rows) {
    JsonArray series = new JsonArray();
    JsonObject totals = null;
    for (Row row : rows) {
      JsonObject o = new JsonObject();
      OffsetDateTime start = row.getOffsetDateTime("start");
      if (start != null) o.put("start", Time.iso(start));
      o.put("decided", row.getLong("decided"));
      JsonObject outcomes = new JsonObject();
      for (String k : Outcomes.ALL) outcomes.put(k, row.getLong(k));
      o.put("outcomes", outcomes);
      o.put("human_decided", row.getLong("human_decided"));
      o.put("p50_seconds", row.getDouble("p50"));
      o.put("p90_seconds", row.getDouble("p90"));
      if (start == null) totals = o;
      else series.add(o);
    }
    return new JsonObject().put("series", series).put("totals", totals);
  }

  /** The trust rows as one line per (agent, room), with the agents' names. */
  private Future<JsonObject> trustJson(String orgId, RowSet<Row> rows) {
    Map<String, JsonObject> lines = new LinkedHashMap<>();
    int points = 0;
    boolean truncated = false;
    for (Row row : rows) {
      String agent = row.getString("agent_id");
      String roomId = row.getString("room_id");
      JsonObject line =
          lines.computeIfAbsent(
              agent + "\n" + roomId,
              k ->
                  new JsonObject()
                      .put("agent_id", agent)
                      .put("room_id", roomId)
                      .put("start_score", null)
                      .put("points", new JsonArray()));
      if (row.getBoolean("before")) {
        line.put("start_score", row.getDouble("score"));
        continue;
      }
      if (++points > MAX_TRUST_POINTS) {
        truncated = true;
        continue;
      }
      line.getJsonArray("points")
          .add(
              new JsonObject()
                  .put("at", Time.iso(row.getOffsetDateTime("at")))
                  .put("score", row.getDouble("score"))
                  .put("outcome", row.getString("outcome")));
    }
    boolean cut = truncated;
    String[] ids =
        lines.values().stream().map(l -> l.getString("agent_id")).distinct().toArray(String[]::new);
    Future<Map<String, String>> names =
        ids.length == 0
            ? Future.succeededFuture(Map.of())
            : deps.pool()
                .preparedQuery(AGENT_NAMES)
                .execute(Tuple.of(orgId, (Object) ids))
                .map(
                    rs -> {
                      Map<String, String> m = new java.util.HashMap<>();
                      for (Row r : rs) m.put(r.getString("id"), r.getString("name"));
                      return m;
                    });
    return names.map(
        n -> {
          JsonArray out = new JsonArray();
          for (JsonObject l : lines.values()) {
            l.put("agent_name", n.get(l.getString("agent_id")));
            out.add(l);
          }
          return new JsonObject().put("series", out).put("truncated", cut);
        });
  }

  private Future<Reply> rooms(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    return deps.pool()
        .preparedQuery(ROOMS)
        .execute(Tuple.of(human.orgId()))
        .map(
            rows -> {
              JsonArray data = new JsonArray();
              for (Row r : rows) {
                data.add(
                    new JsonObject()
                        .put("room_id", r.getString("id"))
                        .put("slug", r.getString("slug"))
                        .put("name", r.getString("name"))
                        .put("pending", r.getLong("pending"))
                        .put("oldest_pending_at", Time.iso(r.getOffsetDateTime("oldest")))
                        .put("decided_today", r.getLong("decided_today"))
                        .put("median_decision_seconds_7d", r.getDouble("median")));
              }
              return Reply.ok(data);
            });
  }
}
