package io.waitroom.checkins;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.waitroom.Deps;
import io.waitroom.auth.Actor;
import io.waitroom.auth.AuthHandler;
import io.waitroom.errors.ApiException;
import io.waitroom.http.Paging;
import io.waitroom.http.Reply;
import io.waitroom.http.Requests;
import io.waitroom.http.Routes;
import io.waitroom.rooms.Room;
import io.waitroom.rooms.RoomRepository;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /v1/check-ins}: the org's check-ins and tasks, newest first (by id, which is
 * time-ordered), filtered by status, room, agent, who decided and a text search, keyset-paged. Each
 * filter present adds one fixed condition (the statement is assembled from constants, never from
 * input), so every combination is its own prepared statement with its own plan, and each selective
 * filter has an index that yields its rows in id order (V040).
 */
public final class CheckInList {
  /** What a text search may hold: words of letters and digits, each matched as a prefix. */
  static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

  static final int MAX_WORDS = 8;

  /** The page's rows, then who they name: the agent's and the decider's display names. */
  static final String SELECT =
      """
      SELECT l.*, a.name AS agent_name, u.name AS decided_by_name, u.email AS decided_by_email
      FROM (SELECT %s FROM check_ins WHERE %s ORDER BY id DESC LIMIT $%d) l
      LEFT JOIN agents a ON a.id = l.agent_id
      LEFT JOIN users u ON u.id = l.decided_by
      ORDER BY l.id DESC
      """;

  /** The condition the text index ({@code check_ins_text}) answers. */
  static final String TEXT =
      "to_tsvector('simple', action || ' ' || coalesce(description, '')) @@ to_tsquery('simple', $%d)";

  static final String CUSTOM_PLAN = "SET LOCAL plan_cache_mode = force_custom_plan";

  private final Deps deps;

  private CheckInList(Deps deps) {
    this.deps = deps;
  }

  public static void mount(Router router, Deps deps) {
    CheckInList r = new CheckInList(deps);
    Routes.on(router).get("/v1/check-ins", r::list);
  }

  /** The conditions and their values, numbered as they are added. */
  private static final class Where {
    final List<String> conditions = new ArrayList<>();
    final List<Object> values = new ArrayList<>();

    void add(String condition, Object value) {
      values.add(value);
      conditions.add(condition.formatted(values.size()));
    }

    String sql() {
      return String.join(" AND ", conditions);
    }
  }

  private Future<Reply> list(RoutingContext ctx) {
    Actor.Human human = AuthHandler.humanOnly(ctx);
    String[] statuses = statuses(ctx.request().getParam("status"));
    String agentId = Requests.queryString(ctx, "agent_id", 100);
    String decidedBy = Requests.queryString(ctx, "decided_by", 200);
    String query = tsQuery(ctx.request().getParam("q"));
    String roomRef = ctx.request().getParam("room");
    String scope = "check-ins:" + human.orgId();
    Paging page = Paging.of(ctx, scope, 50);
    Future<Room> room =
        roomRef == null || roomRef.isEmpty()
            ? Future.succeededFuture(null)
            : RoomRepository.visible(deps.pool(), human, roomRef);
    return room.compose(
        r -> {
          Where w = new Where();
          w.add("org_id = $%d", human.orgId());
          if (statuses != null) w.add("status = ANY ($%d)", statuses);
          if (r != null) w.add("room_id = $%d", r.id());
          if (agentId != null) w.add("agent_id = $%d", agentId);
          if (decidedBy != null) w.add("decided_by = $%d", decidedBy);
          if (query != null) w.add(TEXT, query);
          if (page.after() != null) w.add("id < $%d", page.after());
          String sql = SELECT.formatted(CheckIn.COLUMNS, w.sql(), w.values.size() + 1);
          w.values.add(page.fetch());
          Tuple params = Tuple.from(w.values);
          // Planned with its values, never from a cached generic plan: how big the org is and how
          // common the words are decide the plan (walk the org's newest rows, or use the text
          // index), and a generic plan cannot know either. At a million check-ins a generic plan
          // took 1.6 s for a word in 1 of 8 rows (4 ms planned with it), and would walk every
          // other org's newer rows for a small org (BENCHMARKS.md).
          return deps.pool()
              .withTransaction(
                  conn ->
                      conn.query(CUSTOM_PLAN)
                          .execute()
                          .compose(v -> conn.preparedQuery(sql).execute(params)))
              .map(rows -> page.reply(rows, scope, CheckInList::toJson, "id"));
        });
  }

  static JsonObject toJson(Row row) {
    JsonObject o = CheckIn.fromRow(row).toJson();
    o.put("agent_name", row.getString("agent_name"));
    JsonObject d = o.getJsonObject("decision");
    if (d != null) {
      String name = row.getString("decided_by_name");
      if (name == null) name = row.getString("decided_by_email");
      d.put("decided_by_name", name);
    }
    return o;
  }

  /** {@code status=approved,rejected}: any of the listed statuses; null = every status. */
  static String[] statuses(String param) {
    if (param == null || param.isBlank()) return null;
    Set<String> out = new LinkedHashSet<>();
    for (String s : param.split(",")) {
      String v = s.strip();
      if (!CheckIn.STATUSES.contains(v)) {
        throw ApiException.validation(
            "status",
            "'" + v + "' is not a status (one of " + String.join(", ", Status.wires(false)) + ")");
      }
      out.add(v);
    }
    return out.toArray(String[]::new);
  }

  /** The words of {@code q} as a prefix query ({@code deploy:* & prod:*}); null without q. */
  static String tsQuery(String q) {
    if (q == null || q.isBlank()) return null;
    if (q.length() > 200) throw ApiException.validation("q", "must be at most 200 characters");
    List<String> words = new ArrayList<>();
    Matcher m = WORD.matcher(q.toLowerCase(Locale.ROOT));
    while (m.find() && words.size() < MAX_WORDS) words.add(m.group() + ":*");
    if (words.isEmpty()) throw ApiException.validation("q", "must contain a letter or a digit");
    return String.join(" & ", words);
  }
}
