-- Watchers, the durable webhook delivery queue and its attempt log.

-- Which room events the watcher dispatcher has processed. Rows that exist when this migration
-- runs are marked done (no watcher could have wanted them); new rows start undispatched.
ALTER TABLE room_events ADD COLUMN dispatched boolean NOT NULL DEFAULT true;
ALTER TABLE room_events ALTER COLUMN dispatched SET DEFAULT false;
CREATE INDEX room_events_undispatched ON room_events (id) WHERE NOT dispatched;

CREATE TABLE watchers (
  id          text PRIMARY KEY,
  org_id      text NOT NULL REFERENCES orgs (id),
  room_id     text NOT NULL REFERENCES rooms (id),
  agent_id    text NOT NULL REFERENCES agents (id),
  event_types text[] NOT NULL DEFAULT '{}',   -- as the agent sent them (aliases kept)
  match_types text[] NOT NULL DEFAULT '{}',   -- canonical expansion; empty = every type
  filter      jsonb NOT NULL DEFAULT '{}',
  webhook_url text,                           -- null: only emits watcher.triggered
  secret      text NOT NULL,                  -- whsec_..., signs deliveries
  is_active   boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  removed_at  timestamptz,
  removed_by  text
);
CREATE INDEX watchers_room_active ON watchers (room_id, id) WHERE is_active;
CREATE INDEX watchers_org_room ON watchers (org_id, room_id, id);

-- One row per (watcher, event): written in the dispatcher's transaction, so a matched event is
-- never lost; the id is the stable webhook-id header. A claim sets next_attempt_at to a lease
-- and increments attempts, so two nodes never send the same attempt.
CREATE TABLE webhook_deliveries (
  id               text PRIMARY KEY,
  org_id           text NOT NULL,
  watcher_id       text NOT NULL REFERENCES watchers (id),
  room_id          text NOT NULL,
  event_id         bigint NOT NULL,
  event_type       text NOT NULL,
  payload          jsonb NOT NULL,
  status           text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz,
  last_status_code integer,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (watcher_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_watcher ON webhook_deliveries (watcher_id, id);
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (updated_at) WHERE status <> 'pending';

CREATE TABLE webhook_attempts (
  delivery_id   text NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempt       integer NOT NULL,
  status_code   integer,
  error         text,
  duration_ms   integer NOT NULL,
  attempted_at  timestamptz NOT NULL,
  next_retry_at timestamptz,
  PRIMARY KEY (delivery_id, attempt)
);
