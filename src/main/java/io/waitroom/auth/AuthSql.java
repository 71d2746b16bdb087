package io.waitroom.auth;

final class AuthSql {
  private AuthSql() {}

  static final String AGENT_BY_PREFIX =
      """
      SELECT id, org_id, name, room_scopes, key_hash FROM agents WHERE key_prefix = $1
      """;

  /**
   * Creates the org and the user on first sight, and keeps the user's name and e-mail address as
   * the latest token says them; returns both ids either way.
   */
  static final String UPSERT_HUMAN =
      """
      WITH o AS (
        INSERT INTO orgs (id, external_id) VALUES ($1, $2)
        ON CONFLICT (external_id) DO UPDATE SET external_id = EXCLUDED.external_id
        RETURNING id)
      INSERT INTO users (id, org_id, subject, name, email)
      SELECT $3, o.id, $4, $5, $6 FROM o
      ON CONFLICT (org_id, subject) DO UPDATE SET name = COALESCE(EXCLUDED.name, users.name),
        email = COALESCE(EXCLUDED.email, users.email)
      RETURNING id, org_id
      """;
}
