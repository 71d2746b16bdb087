-- Pending check-ins for decide.sql and read.sql: <p>1..<p><count> (psql -v p=... -v count=...).
INSERT INTO check_ins (id, org_id, room_id, direction, agent_id, created_by, action, risk_level,
  urgency, status, policy)
SELECT :'p' || g, :'org', :'room', 'agent_to_human', :'agent', :'agent',
  'Deploy v2.3.1 to production', 'high', 'normal', 'pending', '{"result":"require_approval"}'
FROM generate_series(1, :count) g;
