-- Approval flows (issue 16): quorum votes, escalation steps, standing grants.

-- Stored at creation so a later policy change does not move the goal posts.
ALTER TABLE check_ins
  ADD COLUMN quorum             jsonb,                       -- {required, approvers, reject}
  ADD COLUMN votes              jsonb NOT NULL DEFAULT '[]', -- the view of check_in_votes, oldest first
  ADD COLUMN escalation         jsonb,                       -- [{after_minutes, urgency, notify}]
  ADD COLUMN escalation_level   integer NOT NULL DEFAULT 0,  -- steps fired so far
  ADD COLUMN next_escalation_at timestamptz;                 -- when the next step falls due

-- What the escalation sweeper scans.
CREATE INDEX check_ins_escalation_due ON check_ins (next_escalation_at)
  WHERE status = 'pending' AND next_escalation_at IS NOT NULL;

-- One row per human decision on a quorum check-in; the primary key refuses a second vote.
CREATE TABLE check_in_votes (
  check_in_id   text NOT NULL REFERENCES check_ins (id),
  voter_id      text NOT NULL,
  verdict       text NOT NULL CHECK (verdict IN ('approved', 'rejected', 'modified')),
  reason        text,
  modifications jsonb,
  at            timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (check_in_id, voter_id)
);

CREATE TABLE grants (
  id          text PRIMARY KEY,
  org_id      text NOT NULL REFERENCES orgs (id),
  room_id     text NOT NULL REFERENCES rooms (id),
  conditions  jsonb NOT NULL,
  reason      text,
  max_uses    integer,
  uses        integer NOT NULL DEFAULT 0,
  expires_at  timestamptz NOT NULL,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  revoked_by  text
);
CREATE INDEX grants_room ON grants (room_id, id);
