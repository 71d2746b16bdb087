-- Issue 27: sign-in (OpenID Connect, e-mail links), server-side sessions, invitations.

-- A browser session: a random id in an HttpOnly cookie; only its SHA-256 is stored. It ends after
-- 12 hours without a request, 7 days after it started (expires_at), or when revoked (sign-out).
CREATE TABLE sessions (
  id_hash      bytea PRIMARY KEY,
  org_id       text NOT NULL,
  user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  via          text NOT NULL CHECK (via IN ('oidc', 'email', 'invitation')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- An OpenID Connect sign-in under way: the state (hashed), the nonce and the PKCE verifier, for
-- 10 minutes; the callback deletes the row, so a state (and the code it brings) is used once.
CREATE TABLE oidc_logins (
  state_hash    bytea PRIMARY KEY,
  nonce         text NOT NULL,
  code_verifier text NOT NULL,
  invitation_id text,
  expires_at    timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oidc_logins_expires ON oidc_logins (expires_at);

-- An invitation: an admin asks an address to join the org with a role. The accept link's token
-- is stored hashed; single-use (accepted_at), 7 days, revocable. One open invitation per address.
CREATE TABLE invitations (
  id          text PRIMARY KEY,
  org_id      text NOT NULL REFERENCES orgs (id),
  email       text NOT NULL,
  role        text NOT NULL CHECK (role IN ('admin', 'approver', 'viewer')),
  token_hash  bytea NOT NULL UNIQUE,
  invited_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  accepted_at timestamptz,
  accepted_by text,
  revoked_at  timestamptz,
  revoked_by  text
);
CREATE UNIQUE INDEX invitations_open ON invitations (org_id, lower(email))
  WHERE accepted_at IS NULL AND revoked_at IS NULL;

-- An e-mail sign-in link: single-use, 15 minutes, for a known human (user_id) or an open
-- invitation (invitation_id); only the token's SHA-256 is stored.
CREATE TABLE sign_in_links (
  token_hash    bytea PRIMARY KEY,
  org_id        text NOT NULL,
  user_id       text REFERENCES users (id) ON DELETE CASCADE,
  invitation_id text REFERENCES invitations (id),
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK ((user_id IS NULL) <> (invitation_id IS NULL))
);
CREATE INDEX sign_in_links_expires ON sign_in_links (expires_at);
CREATE INDEX users_email ON users (lower(email)) WHERE email IS NOT NULL;
