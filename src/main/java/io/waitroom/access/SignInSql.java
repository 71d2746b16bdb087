package io.waitroom.access;

/** Statements of sessions, OpenID Connect sign-ins, e-mail sign-in links and invitations. */
final class SignInSql {
  private SignInSql() {}

  // ---- sessions ----

  /** $1 hash, $2 org, $3 user, $4 via, $5 absolute lifetime in seconds. */
  static final String START_SESSION =
      """
      INSERT INTO sessions (id_hash, org_id, user_id, via, expires_at)
      VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
      """;

  /**
   * The live session of hash $1 (not revoked, not past its absolute end, used within the last $2
   * seconds), with its human; {@code stale} says when to record its use again.
   */
  static final String FIND_SESSION =
      """
      SELECT s.user_id, s.org_id, u.subject, u.name,
        s.last_seen_at < now() - interval '60 seconds' AS stale
      FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
        AND s.last_seen_at > now() - make_interval(secs => $2)
      """;

  static final String TOUCH_SESSION =
      "UPDATE sessions SET last_seen_at = now() WHERE id_hash = $1 AND revoked_at IS NULL";

  static final String END_SESSION =
      """
      UPDATE sessions SET revoked_at = now() WHERE id_hash = $1 AND revoked_at IS NULL
      RETURNING org_id, user_id
      """;

  // ---- humans ----

  /**
   * The human signing in: org (external id $2, created as $1 when new) and user (subject $4,
   * created as $3 with name $5 and e-mail $6). A new human's role: $7 (an invitation's) if given,
   * else admin when this sign-in created the org, else $8 (the default). A known human keeps
   * theirs, raised to $7 when an invitation grants more.
   */
  static final String UPSERT_HUMAN =
      """
      WITH o AS (
        INSERT INTO orgs (id, external_id) VALUES ($1, $2)
        ON CONFLICT (external_id) DO UPDATE SET external_id = EXCLUDED.external_id
        RETURNING id, xmax = 0 AS created)
      INSERT INTO users (id, org_id, subject, name, email, role)
      SELECT $3, o.id, $4, $5, $6,
        COALESCE($7::text, CASE WHEN o.created THEN 'admin' ELSE $8::text END) FROM o
      ON CONFLICT (org_id, subject) DO UPDATE SET name = COALESCE(EXCLUDED.name, users.name),
        email = COALESCE(EXCLUDED.email, users.email),
        role = CASE
          WHEN array_position(ARRAY['viewer', 'approver', 'admin'], $7::text)
             > array_position(ARRAY['viewer', 'approver', 'admin'], users.role)
          THEN $7::text ELSE users.role END
      RETURNING id, org_id, subject, name, role
      """;

  static final String ORG_EXTERNAL_ID = "SELECT external_id FROM orgs WHERE id = $1";

  // ---- OpenID Connect ----

  static final String START_OIDC =
      """
      INSERT INTO oidc_logins (state_hash, nonce, code_verifier, invitation_id, expires_at)
      VALUES ($1, $2, $3, $4, now() + interval '10 minutes')
      """;

  /** The sign-in under way for state $1, deleted as it is read: a state works once. */
  static final String TAKE_OIDC =
      """
      DELETE FROM oidc_logins WHERE state_hash = $1 AND expires_at > now()
      RETURNING nonce, code_verifier, invitation_id
      """;

  // ---- invitations ----

  static final String INVITATION_COLUMNS =
      """
      id, org_id, email, role, invited_by, created_at, expires_at, accepted_at, accepted_by,
      revoked_at, revoked_by
      """;

  static final String INSERT_INVITATION =
      """
      INSERT INTO invitations (id, org_id, email, role, token_hash, invited_by, expires_at)
      VALUES ($1, $2, $3, $4, $5, $6, now() + interval '7 days')
      ON CONFLICT (org_id, lower(email)) WHERE accepted_at IS NULL AND revoked_at IS NULL
      DO NOTHING
      RETURNING\s"""
          + INVITATION_COLUMNS;

  static final String LIST_INVITATIONS =
      "SELECT "
          + INVITATION_COLUMNS
          + """
           FROM invitations WHERE org_id = $1 AND ($2::text IS NULL OR id < $2)
          ORDER BY id DESC LIMIT $3
          """;

  static final String REVOKE_INVITATION =
      """
      UPDATE invitations SET revoked_at = now(), revoked_by = $3
      WHERE id = $1 AND org_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL
      RETURNING\s"""
          + INVITATION_COLUMNS;

  static final String INVITATION_BY_ID =
      "SELECT " + INVITATION_COLUMNS + " FROM invitations WHERE id = $1 AND org_id = $2";

  /** An open invitation by its token's hash, with its org's external id (for the sign-in). */
  static final String OPEN_INVITATION_BY_TOKEN =
      """
      SELECT i.id, i.org_id, i.email, i.role, i.expires_at, o.external_id
      FROM invitations i JOIN orgs o ON o.id = i.org_id
      WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL
        AND i.expires_at > now()
      """;

  static final String OPEN_INVITATION_BY_ID =
      """
      SELECT i.id, i.org_id, i.email, i.role, i.expires_at, o.external_id
      FROM invitations i JOIN orgs o ON o.id = i.org_id
      WHERE i.id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
      """;

  /** The open invitation of address $2 in org $1 (an OIDC sign-in without the link). */
  static final String OPEN_INVITATION_FOR =
      """
      SELECT i.id, i.org_id, i.email, i.role, i.expires_at, o.external_id
      FROM invitations i JOIN orgs o ON o.id = i.org_id
      WHERE i.org_id = $1 AND lower(i.email) = lower($2) AND i.accepted_at IS NULL
        AND i.revoked_at IS NULL AND i.expires_at > now()
      """;

  /** Accepts invitation $1 for human $2: the conditional update is the single use's verdict. */
  static final String ACCEPT_INVITATION =
      """
      UPDATE invitations SET accepted_at = now(), accepted_by = $2
      WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
      RETURNING id, org_id, email, role
      """;

  // ---- e-mail sign-in links ----

  /** Known humans with address $1 (any org), and open invitations of it. */
  static final String KNOWN_ADDRESS =
      """
      SELECT u.org_id, u.id AS user_id, NULL AS invitation_id FROM users u
      WHERE lower(u.email) = lower($1)
      UNION ALL
      SELECT i.org_id, NULL, i.id FROM invitations i
      WHERE lower(i.email) = lower($1) AND i.accepted_at IS NULL AND i.revoked_at IS NULL
        AND i.expires_at > now()
        AND NOT EXISTS (SELECT 1 FROM users u WHERE u.org_id = i.org_id
                        AND lower(u.email) = lower($1))
      LIMIT 10
      """;

  static final String INSERT_LINK =
      """
      INSERT INTO sign_in_links (token_hash, org_id, user_id, invitation_id, expires_at)
      VALUES ($1, $2, $3, $4, now() + interval '15 minutes')
      """;

  /** The link of hash $1 while usable (for the page that never acts). */
  static final String FIND_LINK =
      """
      SELECT l.org_id, l.user_id, l.invitation_id, o.external_id
      FROM sign_in_links l JOIN orgs o ON o.id = l.org_id
      WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > now()
      """;

  /** Spends the link of hash $1: the conditional update is the single use's verdict. */
  static final String SPEND_LINK =
      """
      UPDATE sign_in_links l SET used_at = now()
      FROM orgs o
      WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > now() AND o.id = l.org_id
      RETURNING l.org_id, l.user_id, l.invitation_id, o.external_id
      """;

  static final String USER_BY_ID =
      "SELECT id, org_id, subject, name, email, role FROM users WHERE id = $1";

  static final String DELETE_EXPIRED =
      """
      WITH a AS (DELETE FROM oidc_logins WHERE expires_at < now() - interval '1 hour'),
      b AS (DELETE FROM sign_in_links WHERE expires_at < now() - interval '1 day')
      DELETE FROM sessions WHERE expires_at < now() - interval '1 day'
      """;
}
