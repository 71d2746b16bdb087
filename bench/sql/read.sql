-- Ceiling of GET /v1/check-ins/:id/status: one prepared point read by primary key (-M prepared)
-- of a check-in's columns. Variables (-D): org, p and count (<p>1..<p><count> exist: decide-setup.sql).
\set i random(1, :count)
SELECT id, org_id, room_id, direction, agent_id, created_by, action, description, risk_level,
  urgency, context, status, timeout_minutes, timeout_action, expires_at, decision_type,
  decision_reason, decision_modifications, decided_by, decided_at, claimed_by, help_requested,
  policy, created_at, updated_at
FROM check_ins WHERE id = (:p::text || :i) AND org_id = :org;
