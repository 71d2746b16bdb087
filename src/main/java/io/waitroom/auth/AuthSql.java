package io.waitroom.auth;

final class AuthSql {
  private AuthSql() {}

  static final String AGENT_BY_PREFIX =
      """
      SELECT id, org_id, name, room_scopes, key_hash FROM agents WHERE key_prefix = $1
      """;

  /**
   * Creates the org and the user on first sight, and keeps the user's name and e-mail address as
   * the latest token says them; returns both ids either way. The role ($7) is the token's role
   * claim when it has one (the identity provider decides, on every sign-in); else a new human is
   * {@code admin} when their sign-in created the org (the {@code xmax = 0} of the upsert: the row
   * was inserted, not updated; concurrent first sign-ins wait on the org's unique key, so exactly
   * one creates it) and {@code approver} otherwise, and a known one keeps theirs.
   */
  static final String UPSERT_HUMAN =
      """
      WITH o AS (
        INSERT INTO orgs (id, external_id) VALUES ($1, $2)
        ON CONFLICT (external_id) DO UPDATE SET external_id = EXCLUDED.external_id
        RETURNING id, xmax = 0 AS created)
      INSERT INTO users (id, org_id, subject, name, email, role)
      SELECT $3, o.id, $4, $5, $6,
        COALESCE($7::text, CASE WHEN o.created THEN 'admin' ELSE 'approver' END) FROM o
      ON CONFLICT (org_id, subject) DO UPDATE SET name = COALESCE(EXCLUDED.name, users.name),
        email = COALESCE(EXCLUDED.email, users.email), role = COALESCE($7::text, users.role)
      RETURNING id, org_id
      """;
}
