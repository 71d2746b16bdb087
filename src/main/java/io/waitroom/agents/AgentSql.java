package io.waitroom.agents;

final class AgentSql {
  private AgentSql() {}

  static final String COLUMNS =
      """
      id, org_id, name, description, platform, room_scopes, key_prefix, claim_token,
      claim_expires_at, claimed_at, claimed_by, registered_by, created_at, updated_at\
      """;

  static final String INSERT =
      """
      INSERT INTO agents (id, org_id, name, description, platform, room_scopes, key_prefix,
                          key_hash, claim_token, claim_expires_at, registered_by, claimed_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
              CASE WHEN $2::text IS NULL THEN NULL ELSE now() END)
      RETURNING\s"""
          + COLUMNS;

  static final String BY_ID = "SELECT " + COLUMNS + " FROM agents WHERE id = $1";

  static final String BY_ID_IN_ORG =
      "SELECT " + COLUMNS + " FROM agents WHERE org_id = $1 AND id = $2";

  static final String LIST =
      "SELECT "
          + COLUMNS
          + " FROM agents WHERE org_id = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3";

  /** The race's verdict: only an unclaimed agent with a live token moves. */
  static final String CLAIM =
      """
      UPDATE agents SET org_id = $1, claimed_at = now(), claimed_by = $2, updated_at = now()
      WHERE claim_token = $3 AND org_id IS NULL AND claim_expires_at > now()
      RETURNING\s"""
          + COLUMNS;

  static final String BY_CLAIM_TOKEN =
      "SELECT org_id, claim_expires_at FROM agents WHERE claim_token = $1";
}
