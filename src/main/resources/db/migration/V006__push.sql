-- Web Push subscriptions and their durable delivery queue, and the org-wide event stream's index.

-- GET /v1/events reads an org's events in id order (Tx.event commits an org's ids in id order).
CREATE INDEX room_events_org ON room_events (org_id, id);

-- One browser's push subscription (RFC 8030), owned by one human. An endpoint belongs to at most
-- one subscription: subscribing it again (another room choice, another human signed in on the same
-- browser) replaces the old row.
CREATE TABLE push_subscriptions (
  id         text PRIMARY KEY,
  org_id     text NOT NULL REFERENCES orgs (id),
  user_id    text NOT NULL REFERENCES users (id),
  endpoint   text NOT NULL UNIQUE,
  p256dh     text NOT NULL,            -- base64url, the browser's P-256 public key
  auth       text NOT NULL,            -- base64url, the 16-byte auth secret
  all_rooms  boolean NOT NULL,
  room_ids   text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX push_subscriptions_org ON push_subscriptions (org_id, id);
CREATE INDEX push_subscriptions_user ON push_subscriptions (org_id, user_id, id);

-- One push per (subscription, check-in), enqueued in the transaction that created the pending
-- check-in. Claimed with a lease and retried like webhook deliveries (watchers/WatcherVerticle);
-- removing the subscription (by its human, or because the push service answered 404/410) removes
-- its queue.
CREATE TABLE push_deliveries (
  id               text PRIMARY KEY,
  org_id           text NOT NULL,
  subscription_id  text NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
  check_in_id      text NOT NULL,
  payload          jsonb NOT NULL,
  status           text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz,
  last_status_code integer,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subscription_id, check_in_id)
);
CREATE INDEX push_deliveries_due ON push_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX push_deliveries_finished ON push_deliveries (updated_at) WHERE status <> 'pending';
