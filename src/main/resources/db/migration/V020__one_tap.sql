-- Issue 26: decide in one tap. Humans' e-mail addresses and notification preferences, how each
-- decision was made, single-use action links, and the durable e-mail queue.

-- The address comes from the JWT's email claim, stored on each sign-in; notify holds the human's
-- preferences ({"email": {"enabled", "rooms": "all" | [room ids], "min_risk"}}), null = defaults.
ALTER TABLE users ADD COLUMN email text;
ALTER TABLE users ADD COLUMN notify jsonb;
CREATE INDEX users_with_email ON users (org_id) WHERE email IS NOT NULL;

-- How a decision was made: dashboard, api, email, push, slack, link (null: no human decided).
ALTER TABLE check_ins ADD COLUMN decision_via text;

-- An action link: a random token (only its SHA-256 is stored) bound to one human, one check-in
-- and one verdict. Single-use (used_at), expiring with the check-in (at most 7 days).
CREATE TABLE action_links (
  token_hash  bytea PRIMARY KEY,
  org_id      text NOT NULL,
  user_id     text NOT NULL REFERENCES users (id),
  check_in_id text NOT NULL,
  verdict     text NOT NULL CHECK (verdict IN ('approve', 'reject', 'open')),
  via         text NOT NULL,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX action_links_expired ON action_links (expires_at);

-- One e-mail per check-in, recipient and escalation level (0: "waiting for you"), queued in the
-- transaction that made the check-in pending (or fired the step), claimed with a lease and retried
-- like Web Push; rendered from the check-in's state when it is sent.
CREATE TABLE mail_deliveries (
  id               text PRIMARY KEY,
  org_id           text NOT NULL,
  user_id          text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  check_in_id      text NOT NULL,
  escalation_level integer NOT NULL DEFAULT 0,
  status           text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, check_in_id, escalation_level)
);
CREATE INDEX mail_deliveries_due ON mail_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX mail_deliveries_finished ON mail_deliveries (updated_at) WHERE status <> 'pending';

-- A decided check-in replaces the notification its pending push left on a phone: the pushes
-- of a check-in are found by it.
CREATE INDEX push_deliveries_check_in ON push_deliveries (check_in_id);

-- A push whose check-in was decided before it went out is skipped, not sent.
ALTER TABLE push_deliveries DROP CONSTRAINT push_deliveries_status_check;
ALTER TABLE push_deliveries ADD CONSTRAINT push_deliveries_status_check
  CHECK (status IN ('pending', 'sent', 'failed', 'skipped'));
