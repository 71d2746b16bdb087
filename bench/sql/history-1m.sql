-- History and Insights at 1,000,000 check-ins (issue 30): fills a scratch database that holds the
-- server's schema (every migration applied) with one big org (1,000,000 check-ins over a year,
-- 20 rooms, 50 agents, 10 humans) and a small second org, with generate_series, then prints the
-- plans of the statements GET /v1/check-ins and GET /v1/stats run. See BENCHMARKS.md.
-- Run: psql -d scratch -f bench/sql/history-1m.sql   (never against a real database)
\set ON_ERROR_STOP on
\timing on
BEGIN;
INSERT INTO orgs (id, external_id) VALUES ('org_big', 'big'), ('org_small', 'small');
INSERT INTO users (id, org_id, subject, name)
  SELECT 'usr_' || lpad(i::text, 26, '0'), 'org_big', 'u' || i, 'Human ' || i FROM generate_series(1, 10) i;
INSERT INTO rooms (id, org_id, slug, name, policies, created_by)
  SELECT 'rm_' || lpad(i::text, 26, '0'), 'org_big', 'room-' || i, 'Room ' || i, '{}', 'usr_' || lpad('1', 26, '0')
  FROM generate_series(1, 20) i;
INSERT INTO rooms (id, org_id, slug, name, policies, created_by)
  VALUES ('rm_small', 'org_small', 'small', 'Small', '{}', 'usr_small');
INSERT INTO agents (id, org_id, name, key_prefix, key_hash)
  SELECT 'ag_' || lpad(i::text, 26, '0'), 'org_big', 'agent-' || i, 'k' || i, '\x00' FROM generate_series(1, 50) i;

-- Check-in i was created i * 30 s after a year ago (ids sort as they were created); 3% still
-- pending, the rest settled: 60% approved, 10% modified, 10% rejected, 5% expired, 10% by the
-- server (auto-approved), 5% withdrawn. People take 5 s to 2 h to decide.
INSERT INTO check_ins (id, org_id, room_id, direction, agent_id, created_by, action, description,
  risk_level, urgency, context, status, decision_type, decision_reason, decided_by, decided_at,
  created_at, updated_at)
SELECT 'ci_' || lpad(to_hex(i), 26, '0'), 'org_big',
  'rm_' || lpad((1 + i % 20)::text, 26, '0'), 'agent_to_human',
  'ag_' || lpad((1 + i % 50)::text, 26, '0'), 'ag_' || lpad((1 + i % 50)::text, 26, '0'),
  (ARRAY['deploy', 'migrate', 'refund', 'rotate', 'publish', 'delete', 'scale', 'restart'])[1 + i % 8]
    || ' ' || (ARRAY['api', 'worker', 'database', 'order', 'keys', 'page', 'cache', 'cluster'])[1 + (i / 8) % 8]
    || ' #' || i,
  CASE WHEN i % 7 = 0 THEN 'asked by the customer twice' END,
  'medium', 'normal', '{}', s.status,
  CASE WHEN s.status IN ('pending', 'withdrawn') THEN NULL ELSE s.status END,
  NULL,
  CASE WHEN s.status IN ('pending', 'withdrawn') THEN NULL
       WHEN s.system THEN 'system:policy'
       WHEN s.status = 'expired' THEN 'system:timeout'
       ELSE 'usr_' || lpad((1 + i % 10)::text, 26, '0') END,
  CASE WHEN s.status IN ('pending', 'withdrawn') THEN NULL
       WHEN s.system THEN c.at
       ELSE c.at + make_interval(secs => 5 + (i::bigint * 7919) % 7200) END,
  c.at, c.at
FROM generate_series(1, 1000000) i,
  LATERAL (SELECT now() - interval '365 days' + make_interval(secs => i * 31) AS at) c,
  LATERAL (SELECT CASE
      WHEN i > 970000 AND i % 3 = 0 THEN 'pending'
      WHEN i % 20 < 12 THEN 'approved'
      WHEN i % 20 < 14 THEN 'modified'
      WHEN i % 20 < 16 THEN 'rejected'
      WHEN i % 20 = 16 THEN 'expired'
      WHEN i % 20 = 17 THEN 'withdrawn'
      ELSE 'approved' END AS status,
    i % 20 >= 18 AS system) s;
-- The second org: a thousand of its own, a year old, their ids among the big org's oldest (ids
-- are time-ordered across orgs): a plan walking the primary key backwards would pass every newer
-- row of the big org before finding one of these.
INSERT INTO check_ins (id, org_id, room_id, direction, agent_id, created_by, action, risk_level,
  urgency, context, status, decision_type, decided_by, decided_at, created_at, updated_at)
SELECT 'ci_' || lpad(to_hex(i * 100), 26, '0') || 's', 'org_small', 'rm_small', 'agent_to_human',
  'ag_small', 'ag_small', 'deploy small ' || i, 'low', 'normal', '{}', 'approved', 'approved',
  'usr_small', c.at + interval '30 s', c.at, c.at
FROM generate_series(1, 1000) i,
  LATERAL (SELECT now() - interval '365 days' + make_interval(secs => i * 100 * 31) AS at) c;
-- Trust history: one line per decision by a person in the last 30 days.
INSERT INTO trust_history (org_id, agent_id, room_id, score, outcome, at)
SELECT org_id, agent_id, room_id, 15 + (row_number() OVER (PARTITION BY agent_id, room_id ORDER BY decided_at)) * 0.1,
  decision_type, decided_at
FROM check_ins WHERE org_id = 'org_big' AND left(decided_by, 4) = 'usr_' AND decided_at > now() - interval '30 days';
COMMIT;
ANALYZE;
SELECT count(*) AS check_ins, pg_size_pretty(pg_total_relation_size('check_ins')) AS size FROM check_ins;
