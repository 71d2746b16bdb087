package io.waitroom.events;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The canonical room event types (SPEC 8) and the API reference's spellings accepted as aliases
 * wherever a client names types: {@code check_in.X} is {@code checkin.X}, and {@code
 * check_in.decided} / {@code checkin.decided} stand for approved, rejected and modified.
 */
public final class EventTypes {
  private EventTypes() {}

  public static final Set<String> CANONICAL =
      Collections.unmodifiableSet(
          new LinkedHashSet<>(
              List.of(
                  "checkin.created",
                  "checkin.approved",
                  "checkin.rejected",
                  "checkin.modified",
                  "checkin.expired",
                  "checkin.withdrawn",
                  "checkin.claimed",
                  "checkin.released",
                  "checkin.message",
                  "checkin.help_requested",
                  "checkin.submitted",
                  "checkin.helper_joined",
                  "signal.broadcast",
                  "watcher.triggered")));

  private static final Set<String> DECIDED =
      Collections.unmodifiableSet(
          new LinkedHashSet<>(List.of("checkin.approved", "checkin.rejected", "checkin.modified")));

  /** The canonical types a name or alias stands for, or null when it is unknown. */
  public static Set<String> expand(String nameOrAlias) {
    if (nameOrAlias == null) return null;
    String name =
        nameOrAlias.startsWith("check_in.")
            ? "checkin." + nameOrAlias.substring("check_in.".length())
            : nameOrAlias;
    if ("checkin.decided".equals(name)) return DECIDED;
    return CANONICAL.contains(name) ? Set.of(name) : null;
  }
}
