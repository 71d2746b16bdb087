package io.waitroom.access;

/**
 * Statements on roles and room members, and the SQL conditions that every human decision's
 * conditional statement carries, so the role, the room's members and four-eyes are part of the
 * race's verdict whatever channel the decision came through.
 */
public final class AccessSql {
  private AccessSql() {}

  /**
   * Whether human {@code user} (an SQL expression) may decide in room {@code room}: their org role
   * is approver or admin, and the room has no approver members or they are one (or its owner).
   */
  public static String mayDecide(String user, String room) {
    return """
        EXISTS (SELECT 1 FROM users du WHERE du.id = %1$s AND du.role IN ('admin', 'approver'))
        AND (NOT EXISTS (SELECT 1 FROM room_members dm
                         WHERE dm.room_id = %2$s AND dm.role = 'approver')
             OR EXISTS (SELECT 1 FROM room_members dm WHERE dm.room_id = %2$s
                        AND dm.user_id = %1$s AND dm.role IN ('approver', 'owner')))
        """
        .formatted(user, room);
  }

  /**
   * Whether four-eyes lets human {@code user} decide check-in row {@code ci} (an alias or table
   * name): unless its room's policy sets {@code four_eyes}, always; else not the human who posted
   * the task, nor the one who registered (or claimed) the agent that checked in.
   */
  public static String fourEyesAllows(String user, String ci) {
    return """
        NOT EXISTS (SELECT 1 FROM rooms fr WHERE fr.id = %2$s.room_id
          AND fr.policies @> '{"four_eyes": true}'
          AND %1$s = CASE WHEN %2$s.direction = 'agent_to_human'
            THEN (SELECT COALESCE(fa.registered_by, fa.claimed_by) FROM agents fa
                  WHERE fa.id = %2$s.agent_id)
            ELSE %2$s.created_by END)
        """
        .formatted(user, ci);
  }

  /** The role of human $1. */
  static final String ROLE = "SELECT role FROM users WHERE id = $1";

  /**
   * Why human $1 may not decide check-in $3 of room $2 (read only after a decision missed): their
   * role, whether the room has approver members and they are one, four-eyes, and who registered the
   * check-in's agent.
   */
  static final String DECISION_FACTS =
      """
      SELECT u.role,
        EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = $2 AND m.role = 'approver')
          AS restricted,
        EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = $2 AND m.user_id = $1
          AND m.role IN ('approver', 'owner')) AS member,
        COALESCE(r.policies @> '{"four_eyes": true}', false) AS four_eyes,
        (SELECT COALESCE(a.registered_by, a.claimed_by) FROM agents a WHERE a.id = $3)
          AS registrant
      FROM users u JOIN rooms r ON r.id = $2
      WHERE u.id = $1
      """;

  // ---- humans ----

  /**
   * Changes human $1's role in org $2 to $3, unless that leaves the org without an admin: the
   * statement locks the org's admins, so two demotions at once cannot both pass the count.
   */
  static final String SET_ROLE =
      """
      WITH admins AS (
        SELECT id FROM users WHERE org_id = $2 AND role = 'admin' FOR UPDATE),
      target AS (
        SELECT id, role FROM users WHERE id = $1 AND org_id = $2 FOR UPDATE)
      UPDATE users u SET role = $3
      FROM target t
      WHERE u.id = t.id
        AND ($3 = 'admin' OR t.role <> 'admin' OR (SELECT count(*) FROM admins) > 1)
      RETURNING u.id, u.name, u.email, u.role, t.role AS previous
      """;

  static final String HUMAN =
      "SELECT id, name, email, role FROM users WHERE id = $1 AND org_id = $2";

  // ---- room members ----

  static final String MEMBERS =
      """
      SELECT m.user_id, m.role, m.created_at, m.added_by, u.name, u.email, u.role AS org_role
      FROM room_members m JOIN users u ON u.id = m.user_id
      WHERE m.room_id = $1
      ORDER BY m.created_at, m.user_id
      """;

  /** Whether human $2 owns room $1 (the creator's row). */
  static final String IS_OWNER =
      "SELECT 1 FROM room_members WHERE room_id = $1 AND user_id = $2 AND role = 'owner'";

  /**
   * Sets human $2's membership of room $1 to $3 (added by $4); the owner's row is never changed
   * here (the WHERE of the update leaves it, so it returns nothing).
   */
  static final String PUT_MEMBER =
      """
      INSERT INTO room_members (room_id, user_id, role, added_by) VALUES ($1, $2, $3, $4)
      ON CONFLICT (room_id, user_id) DO UPDATE SET role = EXCLUDED.role, added_by = EXCLUDED.added_by
      WHERE room_members.role <> 'owner'
      RETURNING user_id, role, created_at, added_by
      """;

  static final String DELETE_MEMBER =
      """
      DELETE FROM room_members WHERE room_id = $1 AND user_id = $2 AND role <> 'owner'
      RETURNING user_id, role
      """;

  static final String MEMBER_ROLE =
      "SELECT role FROM room_members WHERE room_id = $1 AND user_id = $2";
}
