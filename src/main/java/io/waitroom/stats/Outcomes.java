package io.waitroom.stats;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * How a decided check-in is counted in the stats and the metrics: what a human chose ({@code
 * approved, modified, rejected}), what the clock did ({@code expired}), and what the server decided
 * by itself ({@code auto_approved}: a policy rule, trust, a standing grant or a timeout's
 * auto-approve; {@code forbidden}: a forbid rule). Withdrawn check-ins were never decided.
 */
public final class Outcomes {
  private Outcomes() {}

  public static final List<String> ALL =
      List.of("approved", "modified", "rejected", "expired", "auto_approved", "forbidden");

  /** The same rule in SQL, over a check-in row's {@code decision_type} and {@code decided_by}. */
  static final String SQL =
      """
      CASE
        WHEN decision_type = 'expired' THEN 'expired'
        WHEN decided_by LIKE 'system:%' AND decision_type = 'approved' THEN 'auto_approved'
        WHEN decided_by LIKE 'system:%' AND decision_type = 'rejected' THEN 'forbidden'
        ELSE decision_type
      END""";

  /** The outcome a decision event records, or null for any other event. */
  public static String ofEvent(String type, JsonObject data) {
    if (data == null || !"agent_to_human".equals(data.getString("direction"))) return null;
    JsonObject d = data.getJsonObject("decision");
    if (d == null || d.getString("decided_at") == null || data.getString("created_at") == null) {
      return null;
    }
    return switch (type) {
      case "checkin.approved", "checkin.rejected", "checkin.modified", "checkin.expired" ->
          of(d.getString("type"), d.getString("decided_by"));
      default -> null;
    };
  }

  static String of(String decisionType, String decidedBy) {
    boolean system = decidedBy != null && decidedBy.startsWith("system:");
    if ("expired".equals(decisionType)) return "expired";
    if (system && "approved".equals(decisionType)) return "auto_approved";
    if (system && "rejected".equals(decisionType)) return "forbidden";
    return decisionType;
  }
}
