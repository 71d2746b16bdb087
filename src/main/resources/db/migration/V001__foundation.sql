-- Foundation: orgs, users, rooms, agents, the audit log and the room event log.

CREATE TABLE orgs (
  id          text PRIMARY KEY,
  external_id text NOT NULL UNIQUE,   -- the org claim of the human JWT
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id         text PRIMARY KEY,
  org_id     text NOT NULL REFERENCES orgs (id),
  subject    text NOT NULL,           -- the JWT sub
  name       text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, subject)
);

CREATE TABLE rooms (
  id          text PRIMARY KEY,
  org_id      text NOT NULL REFERENCES orgs (id),
  slug        text NOT NULL,
  name        text NOT NULL,
  description text,
  policies    jsonb NOT NULL,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, slug)
);
CREATE INDEX rooms_org_id ON rooms (org_id, id);

CREATE TABLE room_members (
  room_id    text NOT NULL REFERENCES rooms (id),
  user_id    text NOT NULL REFERENCES users (id),
  role       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, user_id)
);

CREATE TABLE agents (
  id               text PRIMARY KEY,
  org_id           text REFERENCES orgs (id),      -- null until claimed
  name             text NOT NULL,
  description      text,
  platform         text,
  room_scopes      text[] NOT NULL DEFAULT '{}',
  key_prefix       text NOT NULL UNIQUE,
  key_hash         bytea NOT NULL,
  claim_token      text UNIQUE,
  claim_expires_at timestamptz,
  claimed_at       timestamptz,
  claimed_by       text,
  registered_by    text,                           -- usr_ id, or null when self-registered
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agents_org_id ON agents (org_id, id);

-- Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE.
CREATE TABLE audit_log (
  id          text PRIMARY KEY,
  org_id      text NOT NULL,
  room_id     text,
  actor_type  text NOT NULL,
  actor_id    text NOT NULL,
  event_type  text NOT NULL,
  target_type text NOT NULL,
  target_id   text NOT NULL,
  snapshot    jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_org ON audit_log (org_id, id DESC);
CREATE INDEX audit_org_room ON audit_log (org_id, room_id, id DESC);
CREATE INDEX audit_org_actor ON audit_log (org_id, actor_id, id DESC);
CREATE INDEX audit_org_target ON audit_log (org_id, target_id, id DESC);
CREATE INDEX audit_org_type ON audit_log (org_id, event_type, id DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- Every room event, written in the transaction of the change that caused it. The id is the
-- SSE/WS event id: one sequence per deployment, so it only grows.
CREATE TABLE room_events (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id     text NOT NULL,
  room_id    text NOT NULL,
  type       text NOT NULL,
  data       jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX room_events_room ON room_events (room_id, id);
CREATE INDEX room_events_created ON room_events (created_at);
