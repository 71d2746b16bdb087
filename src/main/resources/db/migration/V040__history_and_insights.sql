-- The dashboard's History and Insights (issue 30): the indexes behind GET /v1/check-ins (keyset by
-- id, newest first, under each filter) and GET /v1/stats (decisions by time), and the trust
-- history the Insights page draws.

-- History filters: each selective filter has an index that yields its rows newest first, so a page
-- reads about `limit` index entries whatever the org's size. status and room already have theirs
-- (check_ins_room_status, check_ins_room); the org-wide list walks the primary key backwards.
CREATE INDEX check_ins_org_id ON check_ins (org_id, id);
CREATE INDEX check_ins_org_status ON check_ins (org_id, status, id);
CREATE INDEX check_ins_org_agent ON check_ins (org_id, agent_id, id) WHERE agent_id IS NOT NULL;
CREATE INDEX check_ins_org_decider ON check_ins (org_id, decided_by, id) WHERE decided_by IS NOT NULL;
-- The text search over action and description (words, prefix-matched: 'deploy:*').
CREATE INDEX check_ins_text ON check_ins
  USING gin (to_tsvector('simple', action || ' ' || coalesce(description, '')));

-- Stats: decisions in a time range, org-wide or per room, read from the index alone where it can.
CREATE INDEX check_ins_decided ON check_ins (org_id, decided_at)
  INCLUDE (room_id, direction, decision_type, decided_by, created_at)
  WHERE decided_at IS NOT NULL;
CREATE INDEX check_ins_room_decided ON check_ins (org_id, room_id, decided_at)
  INCLUDE (direction, decision_type, decided_by, created_at)
  WHERE decided_at IS NOT NULL;

-- Every trust change, written by the same statement that changes the score (trust.Trust.APPLY),
-- so the history and the score never disagree.
CREATE TABLE trust_history (
  org_id   text NOT NULL,
  agent_id text NOT NULL,
  room_id  text NOT NULL,
  score    double precision NOT NULL,
  outcome  text NOT NULL,
  at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trust_history_room ON trust_history (org_id, room_id, at);
CREATE INDEX trust_history_agent ON trust_history (org_id, agent_id, at);
