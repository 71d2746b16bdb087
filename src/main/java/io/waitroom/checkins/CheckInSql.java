package io.waitroom.checkins;

import io.waitroom.access.AccessSql;

/** Every statement on check-ins, their threads and participants. */
public final class CheckInSql {
  private CheckInSql() {}

  static final String C = CheckIn.COLUMNS;

  /**
   * Whether risk level {@code risk} is at or above {@code min} (SQL text expressions; a null or
   * unknown minimum counts as {@code low}): the filter of every channel with a minimum risk.
   */
  public static String riskAtLeast(String risk, String min) {
    String order = "ARRAY['low', 'medium', 'high', 'critical']";
    return "array_position(%1$s, %2$s) >= COALESCE(array_position(%1$s, %3$s), 1)"
        .formatted(order, risk, min);
  }

  /**
   * A new check-in or task, bound by {@code NewCheckIn.tuple()}: $15 seconds until expiry (null =
   * never), $16 the decision type (null = undecided), $20 quorum, $21 escalation steps, $22 seconds
   * until the first step (null = none), $23 the payload hash, $24 the receipt of a decision made at
   * creation (null = none). Without {@code RETURNING}: for a create that knows the row it writes
   * ({@code NewCheckIn.written}).
   */
  static final String INSERT_ONLY =
      """
      INSERT INTO check_ins (id, org_id, room_id, direction, agent_id, created_by, action,
        description, risk_level, urgency, context, status, timeout_minutes, timeout_action,
        expires_at, decision_type, decision_reason, decided_by, decided_at, policy,
        quorum, escalation, next_escalation_at, payload_hash, receipt)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
        CASE WHEN $15::int IS NULL THEN NULL ELSE now() + make_interval(secs => $15::int) END,
        $16, $17, $18, CASE WHEN $16::text IS NULL THEN NULL ELSE now() END, $19,
        $20, $21,
        CASE WHEN $22::int IS NULL THEN NULL ELSE now() + make_interval(secs => $22::int) END,
        $23, $24)
      """;

  /**
   * A decision's signed receipt, sent right behind the decision's own statement in the same
   * transaction (its {@code decided_at} is only known from that statement's answer).
   */
  static final String SET_RECEIPT = "UPDATE check_ins SET receipt = $2 WHERE id = $1";

  /** {@link #INSERT_ONLY}, returning the row it wrote. */
  static final String INSERT = INSERT_ONLY + "RETURNING " + C;

  public static final String BY_ID =
      "SELECT " + C + " FROM check_ins WHERE id = $1 AND org_id = $2";

  /**
   * One human's decision: only an agent check-in that is pending, or a task that is submitted, by a
   * human who may decide there (role, the room's approver members, four-eyes). The row count is the
   * race's verdict. A check-in with a quorum is decided by votes ({@link #DECIDE_BY_VOTES}).
   */
  static final String DECIDE =
      decide(
          "quorum IS NULL AND "
              + AccessSql.mayDecide("$6", "check_ins.room_id")
              + " AND "
              + AccessSql.fourEyesAllows("$6", "check_ins"));

  /** The deciding vote's decision, under the row lock its vote took in the same transaction. */
  static final String DECIDE_BY_VOTES = decide("quorum IS NOT NULL");

  private static String decide(String quorum) {
    return """
        UPDATE check_ins SET status = $3, decision_type = $3, decision_reason = $4,
          decision_modifications = $5, decided_by = $6, decision_via = $7, decided_at = now(),
          updated_at = now()
        WHERE id = $1 AND org_id = $2 AND %s
          AND status = CASE direction WHEN 'agent_to_human' THEN 'pending' ELSE 'submitted' END
        RETURNING\s"""
            .formatted(quorum)
        + C;
  }

  static final String WITHDRAW =
      """
      UPDATE check_ins SET status = 'withdrawn', updated_at = now()
      WHERE id = $1 AND org_id = $2 AND agent_id = $3 AND direction = 'agent_to_human'
        AND status = 'pending'
      RETURNING\s"""
          + C;

  /**
   * A vote ($3, one JSON object) on a pending quorum check-in by $4, who is an approver and has not
   * voted yet. The row lock queues concurrent votes and each re-checks this {@code WHERE} on the
   * row the previous one left, so a vote after the deciding one misses.
   */
  static final String VOTE =
      """
      UPDATE check_ins SET votes = votes || jsonb_build_array($3::jsonb), updated_at = now()
      WHERE id = $1 AND org_id = $2 AND direction = 'agent_to_human' AND status = 'pending'
        AND quorum IS NOT NULL
        AND (jsonb_typeof(quorum->'approvers') IS DISTINCT FROM 'array'
          OR quorum->'approvers' ? $4)
        AND NOT votes @> jsonb_build_array(jsonb_build_object('voter', $4::text))
        AND\s"""
          + AccessSql.mayDecide("$4", "check_ins.room_id")
          + " AND "
          + AccessSql.fourEyesAllows("$4", "check_ins")
          + " RETURNING "
          + C;

  /** The vote's own row; its primary key is a second guard against voting twice. */
  static final String INSERT_VOTE =
      """
      INSERT INTO check_in_votes (check_in_id, voter_id, verdict, reason, modifications, at)
      VALUES ($1, $2, $3, $4, $5, $6)
      """;

  /**
   * Due escalation steps, a batch at a time ($1), one step per check-in per statement: the level
   * goes up by one, the urgency is raised to the step's (never lowered), and the next step falls
   * due $2 seconds per minute after creation. {@code SKIP LOCKED} lets nodes sweep side by side;
   * {@code next_escalation_at <= now()} on the locked row is the verdict, so no step fires twice.
   */
  static final String ESCALATE =
      """
      WITH due AS (
        SELECT id FROM check_ins
        WHERE status = 'pending' AND next_escalation_at <= now()
        ORDER BY next_escalation_at
        LIMIT $1
        FOR UPDATE SKIP LOCKED)
      UPDATE check_ins c SET
        escalation_level = c.escalation_level + 1,
        urgency = CASE
          WHEN array_position(ARRAY['low', 'normal', 'high', 'urgent'],
                 c.escalation->c.escalation_level->>'urgency')
             > array_position(ARRAY['low', 'normal', 'high', 'urgent'], c.urgency)
          THEN c.escalation->c.escalation_level->>'urgency' ELSE c.urgency END,
        next_escalation_at = CASE
          WHEN jsonb_array_length(c.escalation) > c.escalation_level + 1
          THEN c.created_at + make_interval(secs =>
            (c.escalation->(c.escalation_level + 1)->>'after_minutes')::int * $2::int) END,
        updated_at = now()
      FROM due WHERE c.id = due.id AND c.status = 'pending' AND c.next_escalation_at <= now()
      RETURNING c.*
      """;

  // ---- tasks (human_to_agent): claim, release, help, submit ----
  // Written as direction <> 'agent_to_human' (the same rows: the column has two values) so that
  // no plan can use the partial check_ins_room_tasks index, whose predicate "= 'human_to_agent'"
  // would imply: the generic plan of a prepared statement did, and scanned every task of the
  // org instead of one row by primary key (claim 4 ms instead of 0.1 ms in PostgreSQL, issue 15).

  /** $3 the claiming agent. */
  static final String CLAIM =
      """
      UPDATE check_ins SET status = 'in_progress', claimed_by = $3, help_requested = false,
        updated_at = now()
      WHERE id = $1 AND org_id = $2 AND direction <> 'agent_to_human' AND status = 'pending'
        AND claimed_by IS NULL
        AND ($4::text[] IS NULL OR room_id = ANY($4))
      RETURNING\s"""
          + C;

  /** $3 the primary; $4 the agent's room scopes (null = all). */
  static final String RELEASE =
      """
      UPDATE check_ins SET status = 'pending', claimed_by = NULL, help_requested = false,
        updated_at = now()
      WHERE id = $1 AND org_id = $2 AND direction <> 'agent_to_human' AND status = 'in_progress'
        AND claimed_by = $3
        AND ($4::text[] IS NULL OR room_id = ANY($4))
      RETURNING\s"""
          + C;

  /** $3 the primary; $4 the agent's room scopes (null = all). */
  static final String REQUEST_HELP =
      """
      UPDATE check_ins SET help_requested = true, updated_at = now()
      WHERE id = $1 AND org_id = $2 AND direction <> 'agent_to_human' AND status = 'in_progress'
        AND claimed_by = $3
        AND ($4::text[] IS NULL OR room_id = ANY($4))
      RETURNING\s"""
          + C;

  /** $3 the primary, whose {@code result} message submits the task. */
  static final String SUBMIT =
      """
      UPDATE check_ins SET status = 'submitted', updated_at = now()
      WHERE id = $1 AND org_id = $2 AND direction <> 'agent_to_human' AND status = 'in_progress'
        AND claimed_by = $3
      RETURNING\s"""
          + C;

  static final String ADD_PRIMARY =
      """
      INSERT INTO check_in_participants (check_in_id, agent_id, role) VALUES ($1, $2, 'primary')
      ON CONFLICT (check_in_id, agent_id) DO UPDATE
        SET role = 'primary', joined_at = now(), left_at = NULL
      """;

  /** On release every participant leaves: the next claimer starts with a clean team. */
  static final String LEAVE_ALL =
      """
      UPDATE check_in_participants SET left_at = now()
      WHERE check_in_id = $1 AND left_at IS NULL
      """;

  /**
   * Due timeouts, a batch at a time: {@code SKIP LOCKED} lets several nodes sweep side by side, and
   * {@code status = 'pending'} is the verdict against a human deciding at the same moment.
   */
  static final String TIME_OUT =
      """
      WITH due AS (
        SELECT id FROM check_ins
        WHERE status = 'pending' AND timeout_action IN ('auto_approve', 'cancel')
          AND expires_at <= now()
        ORDER BY expires_at
        LIMIT $1
        FOR UPDATE SKIP LOCKED)
      UPDATE check_ins c SET
        status = CASE c.timeout_action WHEN 'auto_approve' THEN 'approved' ELSE 'expired' END,
        decision_type = CASE c.timeout_action WHEN 'auto_approve' THEN 'approved' ELSE 'expired' END,
        decision_reason = 'timed out after ' || c.timeout_minutes || ' minutes',
        decided_by = $2, decided_at = now(), updated_at = now()
      FROM due WHERE c.id = due.id AND c.status = 'pending'
      RETURNING c.*
      """;

  /** $3 status, $4 risk, $5 urgency, $6 agent, $7 cursor, $8 limit + 1. */
  static final String PENDING =
      "SELECT "
          + C
          + """
           FROM check_ins
          WHERE org_id = $1 AND room_id = $2 AND direction = 'agent_to_human' AND status = $3
            AND ($4::text IS NULL OR risk_level = $4) AND ($5::text IS NULL OR urgency = $5)
            AND ($6::text IS NULL OR agent_id = $6) AND ($7::text IS NULL OR id > $7)
          ORDER BY id LIMIT $8
          """;

  public static final String INSERT_MESSAGE =
      """
      INSERT INTO check_in_messages (id, check_in_id, org_id, author_type, author_id,
        message_type, body, metadata, attachments)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
      RETURNING id, check_in_id, author_type, author_id, message_type, body, metadata,
        attachments, created_at
      """;

  public static final String MESSAGES =
      """
      SELECT id, check_in_id, author_type, author_id, message_type, body, metadata, attachments,
        created_at
      FROM check_in_messages WHERE check_in_id = $1
      ORDER BY created_at, id
      """;

  public static final String PARTICIPANTS =
      """
      SELECT agent_id, role, joined_at FROM check_in_participants
      WHERE check_in_id = $1 AND left_at IS NULL ORDER BY joined_at, agent_id
      """;
}
