-- Check-ins (both directions), their threads and participants, trust, idempotency keys.

CREATE TABLE check_ins (
  id                     text PRIMARY KEY,
  org_id                 text NOT NULL REFERENCES orgs (id),
  room_id                text NOT NULL REFERENCES rooms (id),
  direction              text NOT NULL CHECK (direction IN ('agent_to_human', 'human_to_agent')),
  agent_id               text,            -- the creating agent (agent_to_human)
  created_by             text NOT NULL,   -- ag_ or usr_ id
  action                 text NOT NULL,
  description            text,
  risk_level             text NOT NULL,
  urgency                text NOT NULL,
  context                jsonb NOT NULL DEFAULT '{}',
  status                 text NOT NULL,
  timeout_minutes        integer,
  timeout_action         text,
  expires_at             timestamptz,
  decision_type          text,
  decision_reason        text,
  decision_modifications jsonb,
  decided_by             text,
  decided_at             timestamptz,
  claimed_by             text,
  help_requested         boolean NOT NULL DEFAULT false,
  policy                 jsonb,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX check_ins_room ON check_ins (org_id, room_id, id);
CREATE INDEX check_ins_room_status ON check_ins (org_id, room_id, status, id);
CREATE INDEX check_ins_claimed ON check_ins (org_id, claimed_by, id) WHERE claimed_by IS NOT NULL;
-- What the timeout sweeper scans.
CREATE INDEX check_ins_due ON check_ins (expires_at)
  WHERE status = 'pending' AND timeout_action IN ('auto_approve', 'cancel');

CREATE TABLE check_in_messages (
  id           text PRIMARY KEY,
  check_in_id  text NOT NULL REFERENCES check_ins (id),
  org_id       text NOT NULL,
  author_type  text NOT NULL,   -- agent | human | system
  author_id    text NOT NULL,
  message_type text NOT NULL,
  body         text NOT NULL,
  metadata     jsonb NOT NULL DEFAULT '{}',
  attachments  jsonb NOT NULL DEFAULT '[]',
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX check_in_messages_thread ON check_in_messages (check_in_id, created_at, id);

CREATE TABLE check_in_participants (
  check_in_id text NOT NULL REFERENCES check_ins (id),
  agent_id    text NOT NULL,
  role        text NOT NULL CHECK (role IN ('primary', 'helper')),
  joined_at   timestamptz NOT NULL DEFAULT now(),
  left_at     timestamptz,
  PRIMARY KEY (check_in_id, agent_id)
);

CREATE TABLE trust_scores (
  agent_id   text NOT NULL,
  room_id    text NOT NULL REFERENCES rooms (id),
  org_id     text NOT NULL,
  score      double precision NOT NULL,
  approved   integer NOT NULL DEFAULT 0,
  modified   integer NOT NULL DEFAULT 0,
  rejected   integer NOT NULL DEFAULT 0,
  expired    integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agent_id, room_id)
);

-- Idempotency-Key: the first response, stored in the transaction that produced it.
CREATE TABLE idempotency_keys (
  org_id       text NOT NULL,
  actor_id     text NOT NULL,
  key          text NOT NULL,
  request_hash bytea NOT NULL,
  status       integer NOT NULL,
  response     jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, actor_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
