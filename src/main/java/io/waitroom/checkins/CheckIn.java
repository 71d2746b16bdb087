package io.waitroom.checkins;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.waitroom.policy.Quorum;
import io.waitroom.receipts.PayloadHash;
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
    int escalationLevel,
    String decisionVia,
    String payloadHash,
    String receipt) {

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
      policy, created_at, updated_at, quorum, votes, escalation, escalation_level, decision_via,
      payload_hash, receipt\
      """;

  private static final String[] NAMES = COLUMNS.strip().split("\\s*,\\s*");
  private static final int[] IN_ORDER = new int[NAMES.length];

  static {
    // fromRow reads the 32 columns by their place in COLUMNS: a column added there goes there too.
    if (NAMES.length != 32) throw new IllegalStateException("COLUMNS has " + NAMES.length);
    for (int i = 0; i < NAMES.length; i++) IN_ORDER[i] = i;
  }

  /**
   * A row holding {@link #COLUMNS} (and maybe more columns after them). Read by position when the
   * row starts with them in order (every statement here selects or returns them first), by name
   * otherwise: a lookup by name scans the row's column names, which cost a status read about 5% of
   * its CPU (issue 15).
   */
  public static CheckIn fromRow(Row r) {
    int[] at = positions(r);
    String action = r.getString(at[6]);
    String description = r.getString(at[7]);
    String risk = r.getString(at[8]);
    String urgency = r.getString(at[9]);
    JsonObject context = (JsonObject) r.getValue(at[10]);
    String payloadHash = r.getString(at[30]);
    // Rows written before payload hashes were stored (issue 29) get theirs computed on read.
    if (payloadHash == null) {
      payloadHash = PayloadHash.of(action, description, risk, urgency, context);
    }
    return new CheckIn(
        r.getString(at[0]),
        r.getString(at[1]),
        r.getString(at[2]),
        r.getString(at[3]),
        r.getString(at[4]),
        r.getString(at[5]),
        action,
        description,
        risk,
        urgency,
        context,
        r.getString(at[11]),
        r.getInteger(at[12]),
        r.getString(at[13]),
        Time.iso(r.getOffsetDateTime(at[14])),
        r.getString(at[15]),
        r.getString(at[16]),
        (JsonObject) r.getValue(at[17]),
        r.getString(at[18]),
        Time.iso(r.getOffsetDateTime(at[19])),
        r.getString(at[20]),
        Boolean.TRUE.equals(r.getBoolean(at[21])),
        (JsonObject) r.getValue(at[22]),
        Time.iso(r.getOffsetDateTime(at[23])),
        Time.iso(r.getOffsetDateTime(at[24])),
        (JsonObject) r.getValue(at[25]),
        (JsonArray) r.getValue(at[26]),
        (JsonArray) r.getValue(at[27]),
        r.getInteger(at[28]),
        r.getString(at[29]),
        payloadHash,
        r.getString(at[31]));
  }

  /** The same check-in carrying its decision's signed receipt. */
  public CheckIn withReceipt(String jws) {
    return new CheckIn(
        id,
        orgId,
        roomId,
        direction,
        agentId,
        createdBy,
        action,
        description,
        riskLevel,
        urgency,
        context,
        status,
        timeoutMinutes,
        timeoutAction,
        expiresAt,
        decisionType,
        decisionReason,
        decisionModifications,
        decidedBy,
        decidedAt,
        claimedBy,
        helpRequested,
        policy,
        createdAt,
        updatedAt,
        quorum,
        votes,
        escalation,
        escalationLevel,
        decisionVia,
        payloadHash,
        jws);
  }

  /** Where each of {@link #COLUMNS} is in {@code r}. */
  private static int[] positions(Row r) {
    boolean inOrder = r.size() >= NAMES.length;
    for (int i = 0; inOrder && i < NAMES.length; i++) inOrder = NAMES[i].equals(r.getColumnName(i));
    if (inOrder) return IN_ORDER;
    int[] at = new int[NAMES.length];
    for (int i = 0; i < NAMES.length; i++) {
      at[i] = r.getColumnIndex(NAMES[i]);
      if (at[i] < 0) throw new IllegalStateException("a check-in row without " + NAMES[i]);
    }
    return at;
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
        .put("via", decisionVia)
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
        .put("payload_hash", payloadHash)
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
        .put("escalation_level", escalationLevel)
        .put("receipt", receipt);
  }
}
