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

  /** The check-in, locked against concurrent state changes until the transaction ends. */
  static final String LOCK =
      "SELECT " + C + " FROM check_ins WHERE id = $1 AND org_id = $2 FOR NO KEY UPDATE";

  /** Returns a row only when the agent was not an active participant already. */
  static final String ADD_HELPER =
      """
      INSERT INTO check_in_participants (check_in_id, agent_id, role) VALUES ($1, $2, 'helper')
      ON CONFLICT (check_in_id, agent_id) DO UPDATE
        SET role = 'helper', joined_at = now(), left_at = NULL
        WHERE check_in_participants.left_at IS NOT NULL
      RETURNING agent_id
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
