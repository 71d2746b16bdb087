-- Issue 28: Slack. An org's installed app (its secrets encrypted with AES-GCM), the channel each
-- room posts to, the Slack users humans linked to themselves, one Slack message per check-in, and
-- the durable queue of Slack Web API calls (queued in the transaction that makes them necessary,
-- sent with a lease and retried like webhooks).

CREATE TABLE slack_installs (
  org_id         text PRIMARY KEY REFERENCES orgs (id),
  team_id        text NOT NULL,
  team_name      text,
  bot_user_id    text,
  -- nonce (12 bytes) || AES-GCM ciphertext and tag; never readable without the secrets key
  bot_token      bytea NOT NULL,
  signing_secret bytea NOT NULL,
  installed_by   text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE slack_rooms (
  room_id    text PRIMARY KEY REFERENCES rooms (id) ON DELETE CASCADE,
  org_id     text NOT NULL,
  channel    text NOT NULL,
  min_risk   text NOT NULL CHECK (min_risk IN ('low', 'medium', 'high', 'critical')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A link a human made on the dashboard: clicks by this Slack user decide as this human.
CREATE TABLE slack_user_links (
  org_id        text NOT NULL,
  slack_user_id text NOT NULL,
  user_id       text NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, slack_user_id)
);

-- The message a check-in was posted as: ts is Slack's id of it, known once chat.postMessage answered.
CREATE TABLE slack_messages (
  check_in_id text PRIMARY KEY,
  org_id      text NOT NULL,
  channel     text NOT NULL,
  ts          text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE slack_calls (
  id              text PRIMARY KEY,
  org_id          text NOT NULL,
  check_in_id     text,
  kind            text NOT NULL CHECK (kind IN ('post', 'update', 'reply', 'ephemeral')),
  payload         jsonb NOT NULL DEFAULT '{}',
  status          text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX slack_calls_due ON slack_calls (next_attempt_at) WHERE status = 'pending';
CREATE INDEX slack_calls_check_in ON slack_calls (check_in_id) WHERE status = 'pending';
CREATE INDEX slack_calls_finished ON slack_calls (updated_at) WHERE status <> 'pending';
