package io.waitroom.notify;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import io.waitroom.checkins.CheckIn;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A check-in as a person reads it in a message or on a link's page: with its room's, agent's and
 * decider's names instead of ids.
 */
public record CheckInView(
    CheckIn checkIn, String roomName, String roomSlug, String agentName, String decidedByName) {

  private static final String COLUMNS =
      Arrays.stream(CheckIn.COLUMNS.strip().split("\\s*,\\s*"))
          .map(c -> "c." + c)
          .collect(Collectors.joining(", "));

  /** $1 the check-in, $2 its org. */
  static final String READ =
      "SELECT "
          + COLUMNS
          + """
          , r.name AS room_name, r.slug AS room_slug, a.name AS agent_name,
            d.name AS decided_by_name
          FROM check_ins c JOIN rooms r ON r.id = c.room_id
            LEFT JOIN agents a ON a.id = COALESCE(c.agent_id, c.claimed_by)
            LEFT JOIN users d ON d.id = c.decided_by
          WHERE c.id = $1 AND c.org_id = $2
          """;

  /** The check-in {@code id} of org {@code orgId}, or null. */
  public static Future<CheckInView> read(SqlClient db, String orgId, String id) {
    return db.preparedQuery(READ)
        .execute(Tuple.of(id, orgId))
        .map(
            rows -> {
              if (rows.size() == 0) return null;
              Row r = rows.iterator().next();
              return new CheckInView(
                  CheckIn.fromRow(r),
                  r.getString("room_name"),
                  r.getString("room_slug"),
                  r.getString("agent_name"),
                  r.getString("decided_by_name"));
            });
  }

  public String agentLabel() {
    if (agentName != null) return agentName;
    String id = checkIn.agentId() != null ? checkIn.agentId() : checkIn.claimedBy();
    return id == null ? "an agent" : id;
  }

  /** "Alice", "the timeout", "a room policy", or the id when the human has no name. */
  public String deciderLabel() {
    String by = checkIn.decidedBy();
    if (decidedByName != null) return decidedByName;
    if (by == null) return "nobody";
    return switch (by) {
      case "system:timeout" -> "the timeout";
      case "system:policy" -> "a room policy";
      case "system:trust" -> "the agent's trust score";
      case "system:grant" -> "a standing grant";
      default -> by.startsWith("system") ? "Waitroom" : by;
    };
  }

  /** "59 min left", "2 h 5 min left", "expired", or "no time limit". */
  public String timeLeft(Instant now) {
    if (checkIn.expiresAt() == null) return "no time limit";
    Duration d = Duration.between(now, Instant.parse(checkIn.expiresAt()));
    if (d.isNegative() || d.isZero()) return "expired";
    long min = (d.getSeconds() + 59) / 60;
    if (min < 60) return min + " min left";
    long h = min / 60;
    if (h < 48) return h + " h " + (min % 60) + " min left";
    return (h / 24) + " days left";
  }

  private static final DateTimeFormatter AT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  /** When it was decided, for a person ("2026-12-07 14:02 UTC"). */
  public String decidedAtLabel() {
    return checkIn.decidedAt() == null ? "" : AT.format(Instant.parse(checkIn.decidedAt()));
  }

  /** The context as indented JSON, at most {@code maxChars}. */
  public String contextText(int maxChars) {
    if (checkIn.context() == null || checkIn.context().isEmpty()) return null;
    return Html.cut(checkIn.context().encodePrettily(), maxChars);
  }
}
