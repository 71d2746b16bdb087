package io.waitroom.checkins;

/** Every statement on check-ins, their threads and participants. */
public final class CheckInSql {
  private CheckInSql() {}

  static final String C = CheckIn.COLUMNS;

  /** $15: seconds until expiry (null = never); $16: decision type (null = undecided). */
  static final String INSERT =
      """
      INSERT INTO check_ins (id, org_id, room_id, direction, agent_id, created_by, action,
        description, risk_level, urgency, context, status, timeout_minutes, timeout_action,
        expires_at, decision_type, decision_reason, decided_by, decided_at, policy)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
        CASE WHEN $15::int IS NULL THEN NULL ELSE now() + make_interval(secs => $15::int) END,
        $16, $17, $18, CASE WHEN $16::text IS NULL THEN NULL ELSE now() END, $19)
      RETURNING\s"""
          + C;

  public static final String BY_ID =
      "SELECT " + C + " FROM check_ins WHERE id = $1 AND org_id = $2";

  /**
   * A human decision: only an agent check-in that is pending, or a task that is submitted. The row
   * count is the race's verdict.
   */
  static final String DECIDE =
      """
      UPDATE check_ins SET status = $3, decision_type = $3, decision_reason = $4,
        decision_modifications = $5, decided_by = $6, decided_at = now(), updated_at = now()
      WHERE id = $1 AND org_id = $2
        AND status = CASE direction WHEN 'agent_to_human' THEN 'pending' ELSE 'submitted' END
      RETURNING\s"""
          + C;

  static final String WITHDRAW =
      """
      UPDATE check_ins SET status = 'withdrawn', updated_at = now()
      WHERE id = $1 AND org_id = $2 AND agent_id = $3 AND direction = 'agent_to_human'
        AND status = 'pending'
      RETURNING\s"""
          + C;

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
