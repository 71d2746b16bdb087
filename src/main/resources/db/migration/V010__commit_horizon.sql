-- Room event ids in commit-horizon order (issue 15): an id is the writing transaction's id
-- (xid8) shifted by 12 bits plus the event's number inside that transaction, so a room's
-- transactions commit in parallel (no per-room lock across COMMIT) and readers deliver only ids
-- below the commit horizon, pg_snapshot_xmin(pg_current_snapshot()) << 12: every transaction
-- below it has ended, every one still to commit is at or above it. "Everything after id N" thus
-- never skips an event and never repeats one (SPEC 8), on any node.
-- The application sets the id (events/EventLog.APPEND numbers a transaction's events in order);
-- the default below serves ad-hoc SQL only (unique for up to 4096 rows per transaction).

DO $$
BEGIN
  IF coalesce((SELECT max(id) FROM room_events), 0) >= (pg_current_xact_id()::text::bigint << 12)
  THEN
    RAISE EXCEPTION 'room_events ids are ahead of the transaction horizon; cannot switch ids';
  END IF;
END $$;

ALTER TABLE room_events ALTER COLUMN id DROP IDENTITY IF EXISTS;
CREATE SEQUENCE room_events_adhoc_seq;
ALTER TABLE room_events ALTER COLUMN id SET DEFAULT
  (pg_current_xact_id()::text::bigint << 12) + (nextval('room_events_adhoc_seq') % 4096);
