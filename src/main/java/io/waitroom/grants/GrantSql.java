package io.waitroom.grants;

/** Every statement on standing grants. */
final class GrantSql {
  private GrantSql() {}

  static final String C = Grant.COLUMNS;

  /** $7 the expiry, already checked to be in the future and at most 30 days ahead. */
  static final String INSERT =
      """
      INSERT INTO grants (id, org_id, room_id, conditions, reason, max_uses, expires_at,
        created_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      RETURNING\s"""
          + C;

  static final String LIST =
      "SELECT "
          + C
          + """
           FROM grants WHERE org_id = $1 AND room_id = $2 AND ($3::text IS NULL OR id > $3)
          ORDER BY id LIMIT $4
          """;

  /** Only a grant not yet revoked: the row count is the verdict between two revocations. */
  static final String REVOKE =
      """
      UPDATE grants SET revoked_at = now(), revoked_by = $4
      WHERE id = $1 AND org_id = $2 AND room_id = $3 AND revoked_at IS NULL
      RETURNING\s"""
          + C;

  static final String BY_ID =
      "SELECT " + C + " FROM grants WHERE id = $1 AND org_id = $2 AND room_id = $3";

  /**
   * One use, in the check-in's own transaction: the row lock queues concurrent spenders and the
   * {@code WHERE}, re-checked on the locked row, lets only as many through as uses are left.
   */
  static final String SPEND =
      """
      UPDATE grants SET uses = uses + 1
      WHERE id = $1 AND revoked_at IS NULL AND expires_at > now()
        AND (max_uses IS NULL OR uses < max_uses)
      RETURNING\s"""
          + C;
}
