-- Ceiling of POST /v1/check-ins/:id/approve: the minimal SQL of the same durable work in one
-- transaction: the conditional update that decides a pending check-in (its row count is the
-- race's verdict), the decision message, the audit row, the room event, and the trust change
-- last (the hot row, locked for the shortest time). Variables (-D): org, room, user, p (the id
-- prefix of a batch made by decide-setup.sql), agents (trust rows ag_pgb0..; 1 = every decision
-- for one agent in one room), clients (= -c), k (= 0). Each client decides
-- <p><k * clients + client_id + 1>, so no two transactions aim at the same check-in; the harness
-- makes enough of them and checks afterwards that every transaction decided one.
\set i :k * :clients + :client_id + 1
\set k :k + 1
\set a :i % :agents
BEGIN;
UPDATE check_ins SET status = 'approved', decision_type = 'approved', decision_reason = NULL,
  decision_modifications = NULL, decided_by = :user, decided_at = now(), updated_at = now()
WHERE id = (:p::text || :i) AND org_id = :org AND status = 'pending';
INSERT INTO check_in_messages (id, check_in_id, org_id, author_type, author_id, message_type, body,
  metadata, attachments)
VALUES (('msg_' || :p::text || :i), (:p::text || :i), :org, 'human', :user, 'decision', 'Approved',
  '{"decision": "approved", "modifications": null}', '[]');
INSERT INTO audit_log (id, org_id, room_id, actor_type, actor_id, event_type, target_type,
  target_id, snapshot)
VALUES (('aud_' || :p::text || :i), :org, :room, 'human', :user, 'checkin.approved', 'check_in',
  (:p::text || :i), '{"id": "ci_01kbench0000000000000000000", "org_id": "org_01kbench0000000000000000000", "room_id": "room_01kbench000000000000000000", "direction": "agent_to_human", "agent_id": "ag_01kbench00000000000000000000", "created_by": "ag_01kbench00000000000000000000", "action": "Deploy v2.3.1 to production", "description": null, "risk_level": "high", "urgency": "normal", "context": {}, "status": "approved", "timeout_minutes": null, "timeout_action": null, "expires_at": null, "decision": {"type": "approved", "reason": null, "modifications": null, "decided_by": "usr_01kbench000000000000000000", "decided_at": "2026-12-02T15:00:01.000Z"}, "claimed_by": null, "help_requested": false, "policy": {"result": "require_approval", "rule_id": null, "reason": "default action"}, "created_at": "2026-12-02T15:00:00.000Z", "updated_at": "2026-12-02T15:00:01.000Z"}');
INSERT INTO room_events (org_id, room_id, type, data, dispatched)
VALUES (:org, :room, 'checkin.approved', '{"id": "ci_01kbench0000000000000000000", "org_id": "org_01kbench0000000000000000000", "room_id": "room_01kbench000000000000000000", "direction": "agent_to_human", "agent_id": "ag_01kbench00000000000000000000", "created_by": "ag_01kbench00000000000000000000", "action": "Deploy v2.3.1 to production", "description": null, "risk_level": "high", "urgency": "normal", "context": {}, "status": "approved", "timeout_minutes": null, "timeout_action": null, "expires_at": null, "decision": {"type": "approved", "reason": null, "modifications": null, "decided_by": "usr_01kbench000000000000000000", "decided_at": "2026-12-02T15:00:01.000Z"}, "claimed_by": null, "help_requested": false, "policy": {"result": "require_approval", "rule_id": null, "reason": "default action"}, "created_at": "2026-12-02T15:00:00.000Z", "updated_at": "2026-12-02T15:00:01.000Z"}', true);
INSERT INTO trust_scores (agent_id, room_id, org_id, score, approved)
VALUES ('ag_pgb' || :a, :room, :org, 16, 1)
ON CONFLICT (agent_id, room_id) DO UPDATE SET
  score = round(LEAST(100, GREATEST(0, trust_scores.score + 1))::numeric, 4)::double precision,
  approved = trust_scores.approved + 1, updated_at = now();
END;
