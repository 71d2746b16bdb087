package io.waitroom.rooms;

final class RoomSql {
  private RoomSql() {}

  static final String COLUMNS =
      "id, org_id, slug, name, description, policies, created_by, created_at, updated_at";

  /** Slug first, then id. */
  static final String BY_REF =
      "SELECT "
          + COLUMNS
          + """
       FROM rooms WHERE org_id = $1 AND (slug = $2 OR id = $2)
      ORDER BY (slug = $2) DESC LIMIT 1
      """;

  static final String INSERT =
      """
      INSERT INTO rooms (id, org_id, slug, name, description, policies, created_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (org_id, slug) DO NOTHING
      RETURNING """
          + " "
          + COLUMNS;

  static final String ADD_OWNER =
      "INSERT INTO room_members (room_id, user_id, role) VALUES ($1, $2, 'owner')";

  /** $3: cursor (last id, or null); $4: scopes (null = all); $5: limit + 1. */
  static final String LIST =
      "SELECT "
          + COLUMNS
          + """
       FROM rooms
      WHERE org_id = $1 AND ($2::text IS NULL OR id > $2) AND ($3::text[] IS NULL OR id = ANY($3))
      ORDER BY id LIMIT $4
      """;

  /**
   * The stored policies, locked so concurrent replacements audit an unbroken before/after chain.
   */
  static final String POLICIES_FOR_UPDATE =
      "SELECT policies FROM rooms WHERE org_id = $1 AND id = $2 FOR UPDATE";

  static final String SET_POLICIES =
      "UPDATE rooms SET policies = $3, updated_at = now() WHERE org_id = $1 AND id = $2 RETURNING "
          + COLUMNS;

  static final String IDS_BY_REFS =
      "SELECT id, slug FROM rooms WHERE org_id = $1 AND (slug = ANY($2) OR id = ANY($2))";
}
