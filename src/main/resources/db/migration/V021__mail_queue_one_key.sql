-- The e-mail queue's id is already the hash of (recipient, check-in, level), so its primary key
-- alone keeps an e-mail from being queued twice: the second unique index on those three columns
-- only cost every queued e-mail one more index entry inside its check-in's transaction.
ALTER TABLE mail_deliveries DROP CONSTRAINT mail_deliveries_user_id_check_in_id_escalation_level_key;
