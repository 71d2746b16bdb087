package io.waitroom.events;

import io.vertx.core.json.JsonObject;
import io.waitroom.errors.ApiException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The canonical room event types (SPEC 8) and the spellings clients may use for them. Every place
 * where a client names event types (SSE and WebSocket {@code ?types=}, watcher {@code event_types})
 * goes through {@link #expand}, so the aliases mean the same thing everywhere:
 *
 * <ul>
 *   <li>{@code check_in.X} (the API reference's spelling) is {@code checkin.X};
 *   <li>{@code checkin.decided} and {@code check_in.decided} are {@code checkin.approved}, {@code
 *       checkin.rejected} and {@code checkin.modified}.
 * </ul>
 */
public final class EventTypes {
  private EventTypes() {}

  public static final String CHECKIN_CREATED = "checkin.created";
  public static final String CHECKIN_APPROVED = "checkin.approved";
  public static final String CHECKIN_REJECTED = "checkin.rejected";
  public static final String CHECKIN_MODIFIED = "checkin.modified";
  public static final String CHECKIN_EXPIRED = "checkin.expired";
  public static final String CHECKIN_WITHDRAWN = "checkin.withdrawn";
  public static final String CHECKIN_CLAIMED = "checkin.claimed";
  public static final String CHECKIN_RELEASED = "checkin.released";
  public static final String CHECKIN_MESSAGE = "checkin.message";
  public static final String CHECKIN_HELP_REQUESTED = "checkin.help_requested";
  public static final String CHECKIN_SUBMITTED = "checkin.submitted";
  public static final String CHECKIN_HELPER_JOINED = "checkin.helper_joined";
  public static final String CHECKIN_VOTE = "checkin.vote";
  public static final String CHECKIN_ESCALATED = "checkin.escalated";
  public static final String SIGNAL_BROADCAST = "signal.broadcast";
  public static final String WATCHER_TRIGGERED = "watcher.triggered";

  /** Every type the server emits, in a stable order. */
  public static final Set<String> CANONICAL =
      Collections.unmodifiableSet(
          new LinkedHashSet<>(
              List.of(
                  CHECKIN_CREATED,
                  CHECKIN_APPROVED,
                  CHECKIN_REJECTED,
                  CHECKIN_MODIFIED,
                  CHECKIN_EXPIRED,
                  CHECKIN_WITHDRAWN,
                  CHECKIN_CLAIMED,
                  CHECKIN_RELEASED,
                  CHECKIN_MESSAGE,
                  CHECKIN_HELP_REQUESTED,
                  CHECKIN_SUBMITTED,
                  CHECKIN_HELPER_JOINED,
                  CHECKIN_VOTE,
                  CHECKIN_ESCALATED,
                  SIGNAL_BROADCAST,
                  WATCHER_TRIGGERED)));

  /** What {@code checkin.decided} stands for. */
  public static final Set<String> DECIDED =
      Set.of(CHECKIN_APPROVED, CHECKIN_REJECTED, CHECKIN_MODIFIED);

  private static final String ALIAS_PREFIX = "check_in.";

  public static boolean isCanonical(String type) {
    return CANONICAL.contains(type);
  }

  /**
   * The canonical types one client-given name stands for, or null when the name is unknown. Names
   * are case-sensitive and taken as given (no trimming).
   */
  public static Set<String> expand(String name) {
    if (name == null) return null;
    String n =
        name.startsWith(ALIAS_PREFIX) ? "checkin." + name.substring(ALIAS_PREFIX.length()) : name;
    if (n.equals("checkin.decided")) return DECIDED;
    return CANONICAL.contains(n) ? Set.of(n) : null;
  }

  /**
   * Expands a list of names into canonical types (duplicates removed, first-seen order). An unknown
   * or empty name is a 400 on {@code field} whose message and {@code details.type} name it.
   */
  public static Set<String> expandAll(Collection<String> names, String field) {
    Set<String> out = new LinkedHashSet<>();
    for (String name : names) {
      Set<String> types = expand(name);
      if (types == null) throw unknown(field, name);
      out.addAll(types);
    }
    return out;
  }

  /**
   * Parses a {@code ?types=} query value: a comma-separated list of names; spaces around names are
   * ignored. Absent (null) means every type (returns null). Present but empty ({@code types=},
   * {@code types=,}, {@code types=%20}), an empty item, or a control character is a 400: a filter
   * that names nothing is a mistake, not "everything".
   */
  public static Set<String> parseQuery(String value, String field) {
    if (value == null) return null;
    List<String> names = new ArrayList<>();
    for (String raw : value.split(",", -1)) {
      String name = raw.strip();
      if (name.isEmpty()) {
        throw ApiException.validation(
            field, "must be a comma-separated list of event types without empty items");
      }
      if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw ApiException.validation(field, "must not contain control characters");
      }
      names.add(name);
    }
    return Set.copyOf(expandAll(names, field));
  }

  /** Whether an event of {@code type} passes a filter ({@code null} or empty passes all). */
  public static boolean matches(Set<String> filter, String type) {
    return filter == null || filter.isEmpty() || filter.contains(type);
  }

  private static ApiException unknown(String field, String name) {
    String shown = name.length() > 100 ? name.substring(0, 100) + "..." : name;
    return new ApiException(
        400,
        "VALIDATION_ERROR",
        field
            + ": unknown event type '"
            + shown
            + "' (known: "
            + String.join(", ", CANONICAL)
            + ", checkin.decided; check_in.* spellings are accepted too)",
        new JsonObject().put("field", field).put("type", shown));
  }
}
