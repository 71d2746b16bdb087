package io.waitroom.checkins;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.waitroom.policy.Quorum;
import io.waitroom.util.Time;
import java.util.Set;

/** A check-in as stored; agent-to-human requests and human-to-agent tasks alike. */
public record CheckIn(
    String id,
    String orgId,
    String roomId,
    String direction,
    String agentId,
    String createdBy,
    String action,
    String description,
    String riskLevel,
    String urgency,
    JsonObject context,
    String status,
    Integer timeoutMinutes,
    String timeoutAction,
    String expiresAt,
    String decisionType,
    String decisionReason,
    JsonObject decisionModifications,
    String decidedBy,
    String decidedAt,
    String claimedBy,
    boolean helpRequested,
    JsonObject policy,
    String createdAt,
    String updatedAt,
    JsonObject quorum,
    JsonArray votes,
    JsonArray escalation,
    int escalationLevel) {

  public static final String AGENT_TO_HUMAN = "agent_to_human";
  public static final String HUMAN_TO_AGENT = "human_to_agent";

  public static final Set<String> STATUSES = Status.wires(false);

  /** Statuses in which the check-in still waits for someone (long-poll keeps waiting). */
  public static final Set<String> OPEN = Status.wires(true);

  public static final Set<String> RISK_LEVELS = Set.of("low", "medium", "high", "critical");
  public static final Set<String> URGENCIES = Set.of("low", "normal", "high", "urgent");
  public static final Set<String> TIMEOUT_ACTIONS = Set.of("auto_approve", "cancel", "hold");

  public static final String COLUMNS =
      """
      id, org_id, room_id, direction, agent_id, created_by, action, description, risk_level,
      urgency, context, status, timeout_minutes, timeout_action, expires_at, decision_type,
      decision_reason, decision_modifications, decided_by, decided_at, claimed_by, help_requested,
      policy, created_at, updated_at, quorum, votes, escalation, escalation_level\
      """;

  public static CheckIn fromRow(Row r) {
    return new CheckIn(
        r.getString("id"),
        r.getString("org_id"),
        r.getString("room_id"),
        r.getString("direction"),
        r.getString("agent_id"),
        r.getString("created_by"),
        r.getString("action"),
        r.getString("description"),
        r.getString("risk_level"),
        r.getString("urgency"),
        (JsonObject) r.getValue("context"),
        r.getString("status"),
        r.getInteger("timeout_minutes"),
        r.getString("timeout_action"),
        Time.iso(r.getOffsetDateTime("expires_at")),
        r.getString("decision_type"),
        r.getString("decision_reason"),
        (JsonObject) r.getValue("decision_modifications"),
        r.getString("decided_by"),
        Time.iso(r.getOffsetDateTime("decided_at")),
        r.getString("claimed_by"),
        Boolean.TRUE.equals(r.getBoolean("help_requested")),
        (JsonObject) r.getValue("policy"),
        Time.iso(r.getOffsetDateTime("created_at")),
        Time.iso(r.getOffsetDateTime("updated_at")),
        (JsonObject) r.getValue("quorum"),
        (JsonArray) r.getValue("votes"),
        (JsonArray) r.getValue("escalation"),
        r.getInteger("escalation_level"));
  }

  /** The quorum this check-in was created with, or null when one human decides. */
  public Quorum quorumRule() {
    return Quorum.fromJson(quorum);
  }

  /** Approvals still missing: null without a quorum, 0 once decided. */
  public Integer approvalsNeeded() {
    if (quorum == null) return null;
    if (!Status.PENDING.wire().equals(status)) return 0;
    return quorumRule().tally(votes).approvalsNeeded();
  }

  /** The step that brought the check-in to its current escalation level, or null. */
  public JsonObject escalationStep() {
    if (escalation == null || escalationLevel == 0) return null;
    return escalation.getJsonObject(escalationLevel - 1);
  }

  public boolean isTask() {
    return HUMAN_TO_AGENT.equals(direction);
  }

  /** The agent whose trust a decision moves: the creator, or a task's primary. */
  public String trustAgent() {
    return isTask() ? claimedBy : agentId;
  }

  public JsonObject decisionJson() {
    if (decisionType == null) return null;
    return new JsonObject()
        .put("type", decisionType)
        .put("reason", decisionReason)
        .put("modifications", decisionModifications)
        .put("decided_by", decidedBy)
        .put("decided_at", decidedAt)
        .put("votes", quorum == null ? null : votes);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("room_id", roomId)
        .put("direction", direction)
        .put("agent_id", agentId)
        .put("created_by", createdBy)
        .put("action", action)
        .put("description", description)
        .put("risk_level", riskLevel)
        .put("urgency", urgency)
        .put("context", context)
        .put("status", status)
        .put("timeout_minutes", timeoutMinutes)
        .put("timeout_action", timeoutAction)
        .put("expires_at", expiresAt)
        .put("decision", decisionJson())
        .put("claimed_by", claimedBy)
        .put("help_requested", helpRequested)
        .put("policy", policy)
        .put("created_at", createdAt)
        .put("updated_at", updatedAt)
        .put("quorum", quorum)
        .put("votes", votes)
        .put("approvals_needed", approvalsNeeded())
        .put("escalation_level", escalationLevel);
  }
}
