-- The plans of GET /v1/check-ins and GET /v1/stats at 1,000,000 check-ins (after history-1m.sql).
-- The list (1-8) is planned with its values, as the server runs it (SET LOCAL plan_cache_mode =
-- force_custom_plan); the stats (9-12) as prepared statements with generic plans (what a
-- long-running server settles on). Run with -v generic=1 to see the list's generic plans too.
\pset pager off
\if :{?generic}
SET plan_cache_mode = force_generic_plan;
\else
SET plan_cache_mode = force_custom_plan;
\endif
\echo '== 1. History, settled statuses, first page'
PREPARE h1(text, text[], int) AS SELECT l.*, a.name AS agent_name, u.name AS decided_by_name, u.email AS decided_by_email
  FROM (SELECT id, org_id, room_id, direction, agent_id, created_by, action, description, risk_level, urgency, context, status, timeout_minutes, timeout_action, expires_at, decision_type, decision_reason, decision_modifications, decided_by, decided_at, claimed_by, help_requested, policy, created_at, updated_at, quorum, votes, escalation, escalation_level, decision_via FROM check_ins WHERE org_id = $1 AND status = ANY ($2) ORDER BY id DESC LIMIT $3) l
  LEFT JOIN agents a ON a.id = l.agent_id LEFT JOIN users u ON u.id = l.decided_by ORDER BY l.id DESC;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE h1('org_big', '{approved,rejected,modified,expired,withdrawn}', 51);
\echo '== 1b. History, settled statuses, first page of the small org (its rows are a year old)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE h1('org_small', '{approved,rejected,modified,expired,withdrawn}', 51);
\echo '== 2. History, settled, page 10,000 rows deep (cursor)'
PREPARE h2(text, text[], text, int) AS SELECT id, org_id, room_id, direction, agent_id, created_by, action, description, risk_level, urgency, context, status, timeout_minutes, timeout_action, expires_at, decision_type, decision_reason, decision_modifications, decided_by, decided_at, claimed_by, help_requested, policy, created_at, updated_at, quorum, votes, escalation, escalation_level, decision_via FROM check_ins WHERE org_id = $1 AND status = ANY ($2) AND id < $3 ORDER BY id DESC LIMIT $4;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE h2('org_big', '{approved,rejected,modified,expired,withdrawn}', 'ci_' || lpad(to_hex(990000), 26, '0'), 51);
\echo '== 3. History, one outcome (expired: 5%)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE h1('org_big', '{expired}', 51);
\echo '== 4. History, one room + settled'
PREPARE h4(text, text[], text, int) AS SELECT id, org_id, room_id, direction, agent_id, created_by, action, description, risk_level, urgency, context, status, timeout_minutes, timeout_action, expires_at, decision_type, decision_reason, decision_modifications, decided_by, decided_at, claimed_by, help_requested, policy, created_at, updated_at, quorum, votes, escalation, escalation_level, decision_via FROM check_ins WHERE org_id = $1 AND status = ANY ($2) AND room_id = $3 ORDER BY id DESC LIMIT $4;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE h4('org_big', '{approved,rejected,modified,expired,withdrawn}', 'rm_' || lpad('7', 26, '0'), 51);
\echo '== 5. History, one agent + settled'
PREPARE h5(text, text[], text, int) AS SELECT id, org_id, room_id, direction, agent_id, created_by, action, description, risk_level, urgency, context, status, timeout_minutes, timeout_action, expires_at, decision_type, decision_reason, decision_modifications, decided_by, decided_at, claimed_by, help_requested, policy, created_at, updated_at, quorum, votes, escalation, escalation_level, decision_via FROM check_ins WHERE org_id = $1 AND status = ANY ($2) AND agent_id = $3 ORDER BY id DESC LIMIT $4;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE h5('org_big', '{approved,rejected,modified,expired,withdrawn}', 'ag_' || lpad('7', 26, '0'), 51);
\echo '== 6. History, decided by one human'
PREPARE h6(text, text, int) AS SELECT id, org_id, room_id, direction, agent_id, created_by, action, description, risk_level, urgency, context, status, timeout_minutes, timeout_action, expires_at, decision_type, decision_reason, decision_modifications, decided_by, decided_at, claimed_by, help_requested, policy, created_at, updated_at, quorum, votes, escalation, escalation_level, decision_via FROM check_ins WHERE org_id = $1 AND decided_by = $2 ORDER BY id DESC LIMIT $3;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE h6('org_big', 'usr_' || lpad('3', 26, '0'), 51);
\echo '== 7. History, text search, a common word (1 in 8 rows)'
PREPARE h7(text, text[], text, int) AS SELECT id, org_id, room_id, direction, agent_id, created_by, action, description, risk_level, urgency, context, status, timeout_minutes, timeout_action, expires_at, decision_type, decision_reason, decision_modifications, decided_by, decided_at, claimed_by, help_requested, policy, created_at, updated_at, quorum, votes, escalation, escalation_level, decision_via FROM check_ins WHERE org_id = $1 AND status = ANY ($2)
  AND to_tsvector('simple', action || ' ' || coalesce(description, '')) @@ to_tsquery('simple', $3) ORDER BY id DESC LIMIT $4;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE h7('org_big', '{approved,rejected,modified,expired,withdrawn}', 'refund:*', 51);
\echo '== 8. History, text search, a rare pair of words (1 in 448 rows)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE h7('org_big', '{approved,rejected,modified,expired,withdrawn}', 'customer:* & rotate:* & cache:*', 51);
SET plan_cache_mode = force_generic_plan;
\echo '== 9. Stats, all rooms, 7 days by day'
PREPARE s1(text, timestamptz, timestamptz, text, text) AS
      WITH buckets AS (
        SELECT g AS start FROM generate_series(date_trunc($4, $2::timestamptz, 'UTC'),
          $3::timestamptz - interval '1 microsecond', ('1 ' || $4)::interval) g),
      decided AS (
        SELECT date_trunc($4, decided_at, 'UTC') AS start, CASE WHEN decision_type = 'expired' THEN 'expired' WHEN decided_by LIKE 'system:%' AND decision_type = 'approved' THEN 'auto_approved' WHEN decided_by LIKE 'system:%' AND decision_type = 'rejected' THEN 'forbidden' ELSE decision_type END AS outcome,
          CASE WHEN left(decided_by, 4) = 'usr_'
            THEN extract(epoch FROM decided_at - created_at)::double precision END AS secs
        FROM check_ins
        WHERE org_id = $1 AND $5::text IS NULL AND decided_at >= $2 AND decided_at < $3
          AND direction = 'agent_to_human')
      SELECT b.start, count(d.outcome) AS decided,
        count(*) FILTER (WHERE d.outcome = 'approved') AS approved,
        count(d.secs) AS human_decided,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY d.secs) AS p50,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY d.secs) AS p90
      FROM buckets b LEFT JOIN decided d ON d.start = b.start
      GROUP BY GROUPING SETS ((b.start), ())
      ORDER BY b.start NULLS LAST;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE s1('org_big', now() - interval '7 days', now(), 'day', NULL);
\echo '== 10. Stats, all rooms, 30 days by day'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE s1('org_big', now() - interval '30 days', now(), 'day', NULL);
\echo '== 11. Stats, one room, 24 hours by hour'
PREPARE s2(text, timestamptz, timestamptz, text, text) AS
      WITH buckets AS (
        SELECT g AS start FROM generate_series(date_trunc($4, $2::timestamptz, 'UTC'),
          $3::timestamptz - interval '1 microsecond', ('1 ' || $4)::interval) g),
      decided AS (
        SELECT date_trunc($4, decided_at, 'UTC') AS start, CASE WHEN decision_type = 'expired' THEN 'expired' WHEN decided_by LIKE 'system:%' AND decision_type = 'approved' THEN 'auto_approved' WHEN decided_by LIKE 'system:%' AND decision_type = 'rejected' THEN 'forbidden' ELSE decision_type END AS outcome,
          CASE WHEN left(decided_by, 4) = 'usr_'
            THEN extract(epoch FROM decided_at - created_at)::double precision END AS secs
        FROM check_ins
        WHERE org_id = $1 AND room_id = $5 AND decided_at >= $2 AND decided_at < $3
          AND direction = 'agent_to_human')
      SELECT b.start, count(d.outcome) AS decided, count(d.secs) AS human_decided,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY d.secs) AS p50
      FROM buckets b LEFT JOIN decided d ON d.start = b.start
      GROUP BY GROUPING SETS ((b.start), ())
      ORDER BY b.start NULLS LAST;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE s2('org_big', now() - interval '24 hours', now(), 'hour', 'rm_' || lpad('7', 26, '0'));
\echo '== 12. Stats, trust history of one room, 30 days'
PREPARE t1(text, timestamptz, timestamptz, text, int) AS
      (SELECT DISTINCT ON (h.agent_id, h.room_id) h.agent_id, h.room_id, h.score, h.outcome, h.at, true AS before
      FROM trust_history h WHERE h.org_id = $1 AND h.room_id = $4 AND h.at < $2
      ORDER BY h.agent_id, h.room_id, h.at DESC)
      UNION ALL
      (SELECT h.agent_id, h.room_id, h.score, h.outcome, h.at, false AS before
      FROM trust_history h WHERE h.org_id = $1 AND h.room_id = $4 AND h.at >= $2 AND h.at < $3
      ORDER BY h.at LIMIT $5);
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE t1('org_big', now() - interval '30 days', now(), 'rm_' || lpad('7', 26, '0'), 5001);
\echo '== 13. Overview (GET /v1/stats/rooms), 20 rooms'
RESET plan_cache_mode;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
      SELECT r.id, r.slug, r.name, p.pending, p.oldest, d.decided_today, d.median
      FROM rooms r
      LEFT JOIN LATERAL (
        SELECT count(*) AS pending, min(created_at) AS oldest FROM check_ins c
        WHERE c.org_id = r.org_id AND c.room_id = r.id AND c.status = 'pending'
          AND c.direction = 'agent_to_human') p ON true
      LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE c.decided_at >= date_trunc('day', now(), 'UTC')) AS decided_today,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.decided_at - c.created_at))
            FILTER (WHERE left(c.decided_by, 4) = 'usr_') AS median
        FROM check_ins c
        WHERE c.org_id = r.org_id AND c.room_id = r.id AND c.decided_at >= now() - interval '7 days'
          AND c.direction = 'agent_to_human') d ON true
      WHERE r.org_id = 'org_big' ORDER BY r.name, r.id LIMIT 500;
