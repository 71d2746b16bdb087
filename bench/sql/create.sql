-- Ceiling of POST /v1/rooms/:room/check-in: the minimal SQL of the same durable work in one
-- transaction, as one client of pgbench runs it (-M prepared): the check-in, its thread message,
-- its audit row and its room event. No per-room lock and no reads: the database's own ceiling.
-- Variables (-D): org, room, agent. The row sizes match the server's (a ~700-byte check-in JSON in
-- the audit snapshot and the event). The event is written already dispatched so that the
-- server's watcher dispatcher does no work of its own during the measurement.
\set n random(1, 9000000000000000)
BEGIN;
INSERT INTO check_ins (id, org_id, room_id, direction, agent_id, created_by, action, description,
  risk_level, urgency, context, status, timeout_minutes, timeout_action, expires_at, decision_type,
  decision_reason, decided_by, decided_at, policy)
VALUES ('ci_pgb' || :n, :org, :room, 'agent_to_human', :agent, :agent, 'Deploy v2.3.1 to production',
  NULL, 'high', 'normal', '{}', 'pending', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  '{"result": "require_approval", "rule_id": null, "reason": "default action"}');
INSERT INTO check_in_messages (id, check_in_id, org_id, author_type, author_id, message_type, body,
  metadata, attachments)
VALUES ('msg_pgb' || :n, 'ci_pgb' || :n, :org, 'system', 'system', 'status_change',
  'Created with status pending', '{"from": null, "to": "pending", "by": "ag_bench"}', '[]');
INSERT INTO audit_log (id, org_id, room_id, actor_type, actor_id, event_type, target_type,
  target_id, snapshot)
VALUES ('aud_pgb' || :n, :org, :room, 'agent', :agent, 'checkin.created', 'check_in',
  'ci_pgb' || :n, '{"id": "ci_01kbench0000000000000000000", "org_id": "org_01kbench0000000000000000000", "room_id": "room_01kbench000000000000000000", "direction": "agent_to_human", "agent_id": "ag_01kbench00000000000000000000", "created_by": "ag_01kbench00000000000000000000", "action": "Deploy v2.3.1 to production", "description": null, "risk_level": "high", "urgency": "normal", "context": {}, "status": "pending", "timeout_minutes": null, "timeout_action": null, "expires_at": null, "decision": null, "claimed_by": null, "help_requested": false, "policy": {"result": "require_approval", "rule_id": null, "reason": "default action"}, "created_at": "2026-12-02T15:00:00.000Z", "updated_at": "2026-12-02T15:00:00.000Z"}');
INSERT INTO room_events (org_id, room_id, type, data, dispatched)
VALUES (:org, :room, 'checkin.created', '{"id": "ci_01kbench0000000000000000000", "org_id": "org_01kbench0000000000000000000", "room_id": "room_01kbench000000000000000000", "direction": "agent_to_human", "agent_id": "ag_01kbench00000000000000000000", "created_by": "ag_01kbench00000000000000000000", "action": "Deploy v2.3.1 to production", "description": null, "risk_level": "high", "urgency": "normal", "context": {}, "status": "pending", "timeout_minutes": null, "timeout_action": null, "expires_at": null, "decision": null, "claimed_by": null, "help_requested": false, "policy": {"result": "require_approval", "rule_id": null, "reason": "default action"}, "created_at": "2026-12-02T15:00:00.000Z", "updated_at": "2026-12-02T15:00:00.000Z"}', true);
END;
