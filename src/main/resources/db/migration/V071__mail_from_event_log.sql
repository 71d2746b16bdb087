-- A new check-in's e-mails are queued from its committed checkin.created event, like webhooks,
-- instead of by a statement in its own transaction: with e-mail on, that statement (an INSERT ...
-- SELECT over the org's humans, one row per recipient, and the foreign key check below) was the
-- one extra statement of every check-in. One cursor over room_events for the whole deployment;
-- null until the first node with e-mail on places it after the events already committed.
CREATE TABLE mail_dispatch (
  id            integer PRIMARY KEY CHECK (id = 1),
  last_event_id bigint
);
INSERT INTO mail_dispatch (id, last_event_id) VALUES (1, NULL);

-- Check-ins made before this migration had their e-mails queued in their own transactions; the
-- cursor is placed later still, so none is mailed twice or skipped.

-- A queued e-mail's recipient was checked by a foreign key, whose trigger takes a KEY SHARE lock on
-- the human's row: every queuing statement of one org shared a lock on the same row (a multixact
-- each). The statements that queue e-mails select existing humans, and humans are never deleted.
ALTER TABLE mail_deliveries DROP CONSTRAINT mail_deliveries_user_id_fkey;
