package io.waitroom.mcp;

import io.vertx.core.json.JsonArray;
import java.util.Set;

/**
 * The six tools of the Integrations page, one class each ({@link CheckInTool}, {@link
 * CheckStatusTool}, {@link WatchTool}, {@link SignalTool}, {@link ListRoomsTool}, {@link
 * WithdrawTool}): their names, the wait bounds they share, and {@code tools/list}.
 */
final class McpTools {
  static final String CHECK_IN = CheckInTool.NAME;
  static final String CHECK_STATUS = CheckStatusTool.NAME;
  static final String WATCH = WatchTool.NAME;
  static final String SIGNAL = SignalTool.NAME;
  static final String LIST_ROOMS = ListRoomsTool.NAME;
  static final String WITHDRAW = WithdrawTool.NAME;
  static final Set<String> NAMES =
      Set.of(CHECK_IN, CHECK_STATUS, WATCH, SIGNAL, LIST_ROOMS, WITHDRAW);

  /** How long {@code wait_for_decision} / {@code wait_seconds} wait: default and maximum. */
  static final int DEFAULT_WAIT_SECONDS = 50;

  static final int MAX_WAIT_SECONDS = 600;

  private McpTools() {}

  /** What {@code tools/list} answers, in the Integrations page's order. */
  static JsonArray list() {
    return new JsonArray()
        .add(CheckInTool.definition())
        .add(CheckStatusTool.definition())
        .add(WatchTool.definition())
        .add(SignalTool.definition())
        .add(ListRoomsTool.definition())
        .add(WithdrawTool.definition());
  }
}
