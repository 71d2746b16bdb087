package io.waitroom.tasks;

import io.waitroom.checkins.CheckIn;

/**
 * Every statement of the task flow. Each state change is a conditional update whose row count is
 * the race's verdict; the thread statements lock the check-in row first so that posting, claiming,
 * releasing and submitting on one task are serialized.
 */
final class TaskSql {
  private TaskSql() {}

  static final String C = CheckIn.COLUMNS;

  /**
   * $1 id, $2 org, $3 room, $4 creator (usr_), $5 action, $6 description, $7-$9 risk, urgency,
   * context.
   */
  static final String INSERT =
      """
      INSERT INTO check_ins (id, org_id, room_id, direction, agent_id, created_by, action,
        description, risk_level, urgency, context, status)
      VALUES ($1, $2, $3, 'human_to_agent', NULL, $4, $5, $6, $7, $8, $9, 'pending')
      RETURNING\s"""
          + C;

  /** $3 claimed (null = any), $4 status (null = any), $5 cursor, $6 limit + 1. */
  static final String LIST =
      "SELECT "
          + C
          + """
           FROM check_ins
          WHERE org_id = $1 AND room_id = $2 AND direction = 'human_to_agent'
            AND ($3::boolean IS NULL OR (claimed_by IS NOT NULL) = $3)
            AND ($4::text IS NULL OR status = $4) AND ($5::text IS NULL OR id > $5)
          ORDER BY id LIMIT $6
          """;

  /** $2 agent, $3 status (null = any), $4 room scopes (null = all), $5 cursor, $6 limit + 1. */
  static final String CLAIMED =
      "SELECT "
          + C
          + """
           FROM check_ins
          WHERE org_id = $1 AND claimed_by = $2 AND direction = 'human_to_agent'
            AND ($3::text IS NULL OR status = $3) AND ($4::text[] IS NULL OR room_id = ANY($4))
            AND ($5::text IS NULL OR id > $5)
          ORDER BY id LIMIT $6
          """;

  /** $3 the claiming agent. */
  static final String CLAIM =
      """
      UPDATE check_ins SET status = 'in_progress', claimed_by = $3, help_requested = false,
        updated_at = now()
      WHERE id = $1 AND org_id = $2 AND direction = 'human_to_agent' AND status = 'pending'
        AND claimed_by IS NULL
        AND ($4::text[] IS NULL OR room_id = ANY($4))
      RETURNING\s"""
          + C;

  /** $3 the primary; $4 the agent's room scopes (null = all). */
  static final String RELEASE =
      """
      UPDATE check_ins SET status = 'pending', claimed_by = NULL, help_requested = false,
        updated_at = now()
      WHERE id = $1 AND org_id = $2 AND direction = 'human_to_agent' AND status = 'in_progress'
        AND claimed_by = $3
        AND ($4::text[] IS NULL OR room_id = ANY($4))
      RETURNING\s"""
          + C;

  /** $3 the primary; $4 the agent's room scopes (null = all). */
  static final String REQUEST_HELP =
      """
      UPDATE check_ins SET help_requested = true, updated_at = now()
      WHERE id = $1 AND org_id = $2 AND direction = 'human_to_agent' AND status = 'in_progress'
        AND claimed_by = $3
        AND ($4::text[] IS NULL OR room_id = ANY($4))
      RETURNING\s"""
          + C;

  /** $3 the primary, whose {@code result} message submits the task. */
  static final String SUBMIT =
      """
      UPDATE check_ins SET status = 'submitted', updated_at = now()
      WHERE id = $1 AND org_id = $2 AND direction = 'human_to_agent' AND status = 'in_progress'
        AND claimed_by = $3
      RETURNING\s"""
          + C;

  /** The check-in, locked against concurrent state changes until the transaction ends. */
  static final String LOCK =
      "SELECT " + C + " FROM check_ins WHERE id = $1 AND org_id = $2 FOR NO KEY UPDATE";

  static final String ADD_PRIMARY =
      """
      INSERT INTO check_in_participants (check_in_id, agent_id, role) VALUES ($1, $2, 'primary')
      ON CONFLICT (check_in_id, agent_id) DO UPDATE
        SET role = 'primary', joined_at = now(), left_at = NULL
      """;

  /** Returns a row only when the agent was not an active participant already. */
  static final String ADD_HELPER =
      """
      INSERT INTO check_in_participants (check_in_id, agent_id, role) VALUES ($1, $2, 'helper')
      ON CONFLICT (check_in_id, agent_id) DO UPDATE
        SET role = 'helper', joined_at = now(), left_at = NULL
        WHERE check_in_participants.left_at IS NOT NULL
      RETURNING agent_id
      """;

  /** On release every participant leaves: the next claimer starts with a clean team. */
  static final String LEAVE_ALL =
      """
      UPDATE check_in_participants SET left_at = now()
      WHERE check_in_id = $1 AND left_at IS NULL
      """;

  static final String ACTIVE_ROLE =
      """
      SELECT role FROM check_in_participants
      WHERE check_in_id = $1 AND agent_id = $2 AND left_at IS NULL
      """;

  /**
   * One page of a thread in chronological order. The key is (created_at, id); $2 is the cursor's
   * timestamp as UTC text, $3 its message id.
   */
  static final String MESSAGES_PAGE =
      """
      SELECT id, check_in_id, author_type, author_id, message_type, body, metadata, attachments,
        created_at,
        to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' || id AS page_key
      FROM check_in_messages
      WHERE check_in_id = $1
        AND ($2::text IS NULL
          OR (created_at, id) > (($2::text)::timestamp AT TIME ZONE 'UTC', $3::text))
      ORDER BY created_at, id LIMIT $4
      """;
}
