-- Issue 15: watcher dispatch follows one cursor below the commit horizon instead of marking every
-- room event dispatched (an UPDATE of each event and a partial index maintained on each insert).
-- Event ids are in commit-horizon order (V010), so "every event above the cursor and below
-- pg_snapshot_xmin" never skips one that commits late. One row; the dispatching transaction holds
-- it, so one node dispatches at a time and each event is matched once.
CREATE TABLE watcher_dispatch (
  id            integer PRIMARY KEY CHECK (id = 1),
  last_event_id bigint NOT NULL
);
-- Events dispatched before this migration keep dispatched = true and are passed over; the cursor
-- starts below the oldest one still waiting.
INSERT INTO watcher_dispatch (id, last_event_id)
VALUES (1, coalesce((SELECT min(id) - 1 FROM room_events WHERE NOT dispatched),
                    (SELECT max(id) FROM room_events), 0));
DROP INDEX room_events_undispatched;
ALTER TABLE room_events ALTER COLUMN dispatched SET DEFAULT false;
