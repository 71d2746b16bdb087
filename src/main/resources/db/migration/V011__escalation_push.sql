-- Issue 16: an escalation step pushes to the humans it notifies, once per step. A check-in now
-- has one push per subscription and escalation level (0 = "waiting for you", 1.. = the steps).
ALTER TABLE push_deliveries ADD COLUMN escalation_level integer NOT NULL DEFAULT 0;
ALTER TABLE push_deliveries DROP CONSTRAINT push_deliveries_subscription_id_check_in_id_key;
ALTER TABLE push_deliveries ADD CONSTRAINT push_deliveries_once_per_level
  UNIQUE (subscription_id, check_in_id, escalation_level);
