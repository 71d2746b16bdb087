-- Signals: decisions humans (and agents) broadcast into a room. The event log carries them to
-- streams and watchers; this table keeps them.
CREATE TABLE signals (
  id              text PRIMARY KEY,
  org_id          text NOT NULL REFERENCES orgs (id),
  room_id         text NOT NULL REFERENCES rooms (id),
  type            text NOT NULL,
  payload         jsonb NOT NULL DEFAULT '{}',
  created_by      text NOT NULL,   -- usr_ or ag_ id
  created_by_type text NOT NULL CHECK (created_by_type IN ('human', 'agent')),
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signals_room ON signals (org_id, room_id, id);
