package io.waitroom.client;

import java.util.List;

/**
 * The canonical room event types, for {@link Events.SubscribeOptions#types} and {@link
 * Inputs.WatcherInput#of}, and to compare with {@link Model.RoomEvent#event()}.
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
  public static final String CHECKIN_SUBMITTED = "checkin.submitted";
  public static final String CHECKIN_MESSAGE = "checkin.message";
  public static final String CHECKIN_HELP_REQUESTED = "checkin.help_requested";
  public static final String CHECKIN_HELPER_JOINED = "checkin.helper_joined";

  /** One human's vote on a quorum check-in. */
  public static final String CHECKIN_VOTE = "checkin.vote";

  /** An escalation step fired: {@code data.level}, {@code data.urgency}, {@code data.notify}. */
  public static final String CHECKIN_ESCALATED = "checkin.escalated";

  public static final String SIGNAL_BROADCAST = "signal.broadcast";
  public static final String WATCHER_TRIGGERED = "watcher.triggered";

  /** A filter alias: approved, rejected and modified. */
  public static final String CHECKIN_DECIDED = "checkin.decided";

  /** Every canonical type (aliases excluded). */
  public static final List<String> ALL =
      List.of(
          CHECKIN_CREATED,
          CHECKIN_APPROVED,
          CHECKIN_REJECTED,
          CHECKIN_MODIFIED,
          CHECKIN_EXPIRED,
          CHECKIN_WITHDRAWN,
          CHECKIN_CLAIMED,
          CHECKIN_RELEASED,
          CHECKIN_SUBMITTED,
          CHECKIN_MESSAGE,
          CHECKIN_HELP_REQUESTED,
          CHECKIN_HELPER_JOINED,
          CHECKIN_VOTE,
          CHECKIN_ESCALATED,
          SIGNAL_BROADCAST,
          WATCHER_TRIGGERED);
}
