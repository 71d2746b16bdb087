// bench/run: one command, one run, one table (BENCHMARKS.md explains every figure).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Api, humanToken, pool, requireLoopback } from './lib/util.mjs';
import { BenchDatabase, BenchServer, ensureJar } from './lib/server.mjs';
import { PGBENCH_CLIENTS, Throughput } from './lib/throughput.mjs';
import { longPoll, sseFanout, webhooks } from './lib/streams.mjs';
import { memoryRun } from './lib/memory.mjs';
import { mailFigures } from './lib/mail.mjs';
import { SmtpSink } from './lib/smtp-sink.mjs';
import { printTable } from './lib/report.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const SIZES = {
  ci: { duration: 2, sse: [200], longpoll: 100, hooks: [2, 50], pending: 20000,
    mail: { latency: 100, burst: 200, rounds: 2 },
    memory: { streams: 100, bursts: 2, perBurst: 32, payloadBytes: 8192 } },
  default: { duration: 10, sse: [1000], longpoll: 1000, hooks: [10, 500], pending: 80000,
    mail: { latency: 100, burst: 1000, rounds: 3 },
    memory: { streams: 1000, bursts: 5, perBurst: 512, payloadBytes: 8192 } },
  full: { duration: 15, sse: [1000, 5000, 10000], longpoll: 10000, hooks: [10, 500], pending: 150000,
    mail: { latency: 100, burst: 1000, rounds: 3 },
    memory: { streams: 1000, bursts: 5, perBurst: 512, payloadBytes: 8192 } },
};

/** The figure groups --only chooses from (mail: issue 26's e-mail figures, on a local SMTP sink). */
const GROUPS = ['ceilings', 'server', 'sse', 'longpoll', 'webhooks', 'mail', 'memory'];

const USAGE = `usage: bench/run [--ci | --full] [--memory] [--embedded] [--target HOST] [--pg-host HOST]
         [--pg-port PORT] [--duration SECONDS] [--warmup SECONDS] [--only LIST] [--out FILE]
  (default)     medium size: 10 s per figure, 1,000 SSE streams, 1,000 long-poll waiters
  --ci          small size, a few seconds per figure (CI: fails only on broken machinery)
  --full        full size: 15 s per figure, 1,000/5,000/10,000 SSE streams, 10,000 waiters
  --memory      only the memory run (issue 11): -Xmx512m, 1,000 never-reading streams, 20 MB
  --embedded    the server's embedded PostgreSQL instead of the machine's (127.0.0.1:5432)
  --target      the server's address: 127.0.0.1 (default), localhost or ::1; nothing else
  --warmup      seconds of unreported load on every server route before its figures, so the
                JIT has compiled the write path (default 30; --ci 0, --full 60)
  --only        comma list of: ${GROUPS.join(',')}
  --out         JSON results (default target/bench/results.json)`;

/** A whole number in [min, max], or a refusal naming the option (exit code 2). */
function whole(flag, text, min, max) {
  const n = Number(text);
  if (!/^\d+$/.test(String(text)) || n < min || n > max) {
    throw Object.assign(new Error(`${flag} takes a whole number from ${min} to ${max}, not '${text}'\n${USAGE}`), { exitCode: 2 });
  }
  return n;
}

/** The --only list, each one of {@link GROUPS}, or a refusal naming the unknown one (exit code 2). */
function groups(text) {
  const list = text.split(',').map((g) => g.trim()).filter(Boolean);
  const unknown = list.find((g) => !GROUPS.includes(g));
  if (unknown !== undefined || list.length === 0) {
    throw Object.assign(new Error(`--only takes a comma list of ${GROUPS.join(', ')}, not '${unknown ?? text}'\n${USAGE}`), { exitCode: 2 });
  }
  return list;
}

function parseArgs(argv) {
  const o = { size: 'default', embedded: false, target: '127.0.0.1', pgHost: '127.0.0.1', pgPort: 5432,
    only: null, memoryOnly: false, out: path.join(ROOT, 'target', 'bench', 'results.json') };
  const value = (i, name) => {
    if (i >= argv.length) throw Object.assign(new Error(`${name} needs a value\n${USAGE}`), { exitCode: 2 });
    return argv[i];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, null];
    const next = () => (inline ?? value(++i, flag));
    switch (flag) {
      case '--ci': o.size = 'ci'; break;
      case '--full': o.size = 'full'; break;
      case '--memory': o.memoryOnly = true; break;
      case '--embedded': o.embedded = true; break;
      case '--target': case '--host': o.target = requireLoopback(flag, next()); break;
      case '--pg-host': o.pgHost = requireLoopback(flag, next()); break;
      case '--pg-port': o.pgPort = whole(flag, next(), 1, 65535); break;
      case '--duration': o.duration = whole(flag, next(), 1, 3600); break;
      case '--warmup': o.warmup = whole(flag, next(), 0, 3600); break;
      case '--only': o.only = groups(next()); break;
      case '--out': o.out = path.resolve(next()); break;
      case '-h': case '--help': console.log(USAGE); process.exit(0); break;
      default: throw Object.assign(new Error(`unknown option ${a}\n${USAGE}`), { exitCode: 2 });
    }
  }
  return o;
}

const log = (m) => process.stderr.write(`[bench] ${m}\n`);

async function setupFixture(server, agentsCount, manyRooms) {
  const api = server.api;
  const human = humanToken(server.secret, 'bench-org', 'bench-human');
  const room = async (slug) => (await api.post('/v1/rooms', human, { name: slug, slug }, { expect: [201] })).json.data;
  const one = await room('bench-one');
  const many = [];
  for (let i = 0; i < manyRooms; i++) many.push(await room(`bench-many-${i}`));
  const rooms = { one: one.slug, many: many.map((r) => r.slug) };
  for (const s of ['fanout', 'longpoll', 'hooks', 'memory', 'pgbench']) rooms[s] = (await room(`bench-${s}`)).slug;
  const ids = { org: one.org_id, user: one.created_by, pgbenchRoom: null };
  ids.pgbenchRoom = (await api.get(`/v1/rooms/${rooms.pgbench}`, human)).json.data.id;
  const agents = await pool(Array.from({ length: agentsCount }), 8, async (_, i) => {
    const d = (await api.post('/v1/agents/register', human, { name: `bench-agent-${i}` }, { expect: [201] })).json.data;
    return { id: d.id ?? d.agent?.id, key: d.api_key };
  });
  return { human, rooms, agents, ids };
}

async function throughput(ctx, size, wanted) {
  const { server, db, fixture } = ctx;
  const t = new Throughput({ root: ROOT, workDir: ctx.workDir, server, db, fixture, duration: ctx.duration, log, fail: ctx.fail });
  const out = { ceilings: {}, server: {} };
  const { agents, rooms, human, ids } = fixture;
  const n = agents.length;
  if (wanted('ceilings')) {
    log('ceiling: GET /healthz (after an unreported warm-up)');
    t.wrk('warm-up', t.feed('healthz', [['/healthz', null]]), { cycle: true, duration: Math.min(3, ctx.duration) });
    out.ceilings.healthz = t.wrk('healthz', t.feed('healthz', [['/healthz', null]]), { cycle: true });
    const base = { org: ids.org, room: ids.pgbenchRoom };
    log('ceiling: pgbench create.sql');
    out.ceilings.create_sql = t.pgbench('create.sql', 'create.sql', { ...base, agent: agents[0].id });
    for (const p of ['ci_pgbp', 'ci_pgbq']) db.psql(null, path.join(ROOT, 'bench', 'sql', 'decide-setup.sql'), { ...base, agent: agents[0].id, p, count: size.pending });
    const decided = (p) => () => db.psql(null, `SELECT count(*) FROM check_ins WHERE id LIKE '${p}%' AND status = 'approved'`);
    const dv = { ...base, user: ids.user, clients: PGBENCH_CLIENTS, k: 0 };
    log('ceiling: pgbench decide.sql (32 agents)');
    out.ceilings.decide_sql = t.pgbench('decide.sql', 'decide.sql', { ...dv, p: 'ci_pgbp', agents: 32 }, { expectDecided: decided('ci_pgbp') });
    log('ceiling: pgbench decide.sql (one agent, one room)');
    out.ceilings.decide_sql_one_agent = t.pgbench('decide.sql one agent', 'decide.sql', { ...dv, p: 'ci_pgbq', agents: 1 }, { expectDecided: decided('ci_pgbq') });
    log('ceiling: pgbench read.sql');
    out.ceilings.read_sql = t.pgbench('read.sql', 'read.sql', { org: ids.org, p: 'ci_pgbp', count: size.pending });
  }
  if (!wanted('server')) return out;
  if (ctx.warmup > 0) await warmUp(t, ctx.warmup, fixture);
  const body = { action: 'Deploy v2.3.1 to production', description: 'bench', risk_level: 'high', context: { env: 'prod' } };
  const createLines = {
    one_room_one_agent: [[`/v1/rooms/${rooms.one}/check-in`, agents[0].key]],
    one_room_many_agents: agents.map((a) => [`/v1/rooms/${rooms.one}/check-in`, a.key]),
    many_rooms_many_agents: agents.map((a, i) => [`/v1/rooms/${rooms.many[i % rooms.many.length]}/check-in`, a.key]),
  };
  const created = {};
  for (const [k, lines] of Object.entries(createLines)) {
    log(`server: create ${k}`);
    const { res, ids: made } = t.create(`create ${k}`, lines, body);
    out.server[`create_${k}`] = res;
    created[k] = made;
  }
  for (const [k, lines] of Object.entries(createLines)) {
    log(`server: approve ${k}`);
    const refill = (d) => t.create(`create ${k} (refill)`, lines, body, d).ids;
    out.server[`approve_${k}`] = t.consume(`approve ${k}`, created[k], (id) => [`/v1/check-ins/${id}/approve`, human], {}, refill);
  }
  log('server: status');
  const all = Object.values(created).flat();
  out.server.status = t.wrk('status', t.feed('status', all.map((id) => [`/v1/check-ins/${id}/status`, agents[0].key])), { cycle: true });
  const taskBody = { action: 'Rotate the staging certificates', risk_level: 'medium' };
  const taskLines = {
    one_agent: [[`/v1/rooms/${rooms.one}/tasks`, human]],
    many_agents: rooms.many.map((r) => [`/v1/rooms/${r}/tasks`, human]),
  };
  const tasks = {};
  for (const [k, lines] of Object.entries(taskLines)) {
    log(`server: task create (for claim ${k})`);
    const { res, ids: made } = t.create(`task create ${k}`, lines, taskBody);
    out.server[`task_create_${k === 'one_agent' ? 'one_room' : 'many_rooms'}`] = res;
    tasks[k] = made;
  }
  for (const [k, lines] of Object.entries(taskLines)) {
    log(`server: claim ${k}`);
    const claimer = (id, i) => [`/v1/check-ins/${id}/claim`, k === 'one_agent' ? agents[0].key : agents[i % n].key];
    const refill = (d) => t.create(`task create ${k} (refill)`, lines, taskBody, d).ids;
    out.server[`claim_${k}`] = t.consume(`claim ${k}`, tasks[k], claimer, {}, refill);
  }
  return out;
}

/**
 * Unreported load on every route the figures measure (create, approve, status, task create,
 * claim), split over {@code seconds}: a server straight from its start runs the write path in the
 * interpreter, and its first figures would measure the JIT instead of the server.
 */
async function warmUp(t, seconds, { agents, rooms, human }) {
  const slice = Math.max(1, Math.round(seconds / 5));
  log(`warm-up: ${5 * slice} s over every server route (unreported)`);
  const body = { action: 'warm-up', risk_level: 'high' };
  const lines = agents.map((a, i) => [`/v1/rooms/${rooms.many[i % rooms.many.length]}/check-in`, a.key]);
  const made = t.create('warm-up create', lines, body, slice).ids;
  t.wrk('warm-up approve', t.feed('warm-up approve', made.map((id) => [`/v1/check-ins/${id}/approve`, human])), { method: 'POST', body: {}, duration: slice });
  t.wrk('warm-up status', t.feed('warm-up status', made.map((id) => [`/v1/check-ins/${id}/status`, agents[0].key])), { cycle: true, duration: slice });
  const tasks = t.create('warm-up task create', rooms.many.map((r) => [`/v1/rooms/${r}/tasks`, human]), body, slice).ids;
  t.wrk('warm-up claim', t.feed('warm-up claim', tasks.map((id, i) => [`/v1/check-ins/${id}/claim`, agents[i % agents.length].key])), { method: 'POST', body: {}, duration: slice });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const size = SIZES[opts.size];
  const workDir = path.join(ROOT, 'target', 'bench');
  fs.mkdirSync(workDir, { recursive: true });
  const only = opts.only ?? (opts.memoryOnly ? ['memory'] : ['ceilings', 'server', 'sse', 'longpoll', 'webhooks', 'mail', ...(opts.size === 'default' ? [] : ['memory'])]);
  const wanted = (s) => only.includes(s);
  for (const tool of ['java', 'jcmd', 'wrk', 'pgbench', 'psql']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      throw Object.assign(new Error(`${tool} is missing (BENCHMARKS.md: what the harness needs)`), { exitCode: 2 });
    }
  }
  const failures = [];
  const fail = (m) => { failures.push(m); log(`FAILURE: ${m}`); };
  const jar = ensureJar(ROOT, log);
  const db = new BenchDatabase({ embedded: opts.embedded, pgHost: opts.pgHost, pgPort: opts.pgPort, workDir });
  const results = {
    started_at: new Date().toISOString(),
    command: `bench/run ${process.argv.slice(2).join(' ')}`.trim(),
    size: opts.size,
    database: opts.embedded ? 'embedded' : `${opts.pgHost}:${opts.pgPort}/${db.name}`,
    machine: { cpus: (await import('node:os')).cpus().length, loadavg_start: (await import('node:os')).loadavg().map((v) => Math.round(v * 100) / 100) },
    connections: 32,
    pgbench_clients: PGBENCH_CLIENTS,
  };
  let server;
  let sink;
  const cleanup = async () => { try { await server?.stop(); await sink?.close(); } finally { db.drop(); } };
  process.on('SIGINT', () => cleanup().finally(() => process.exit(130)));
  try {
    db.create();
    const logFile = path.join(workDir, 'server.log');
    fs.writeFileSync(logFile, '');
    const mainPart = only.some((s) => s !== 'memory');
    const duration = opts.duration ?? size.duration;
    if (mainPart) {
      log(`starting the server on ${results.database} (${opts.target})`);
      // The e-mail figures' SMTP server, before the server that sends to it; without them the
      // server runs with e-mail off, as the other figures always did.
      if (wanted('mail')) sink = await SmtpSink.start(opts.target);
      const env = { WAITROOM_SMTP_URL: sink ? sink.url : '' };
      server = new BenchServer({ root: ROOT, jar, host: opts.target, db, logFile, env });
      await server.start(); // assigned first, so that an interrupt during the start stops it too
      const fixture = await setupFixture(server, 32, 32);
      const warmup = opts.warmup ?? { ci: 0, default: 30, full: 60 }[opts.size];
      results.warmup_seconds = warmup;
      const ctx = { server, db, fixture, fail, workDir, duration, warmup, host: opts.target };
      Object.assign(results, await throughput(ctx, size, wanted));
      if (wanted('sse')) {
        results.sse = [];
        for (const n of size.sse) { log(`SSE fan-out: ${n} streams`); results.sse.push(await sseFanout(ctx, n)); }
      }
      if (wanted('longpoll')) { log(`long-poll: ${size.longpoll} waiters`); results.longpoll = await longPoll(ctx, size.longpoll); }
      if (wanted('webhooks')) { log(`webhooks: ${size.hooks[0]} watchers x ${size.hooks[1]} signals`); results.webhooks = await webhooks(ctx, ...size.hooks); }
      if (wanted('mail')) {
        log(`e-mail: ${size.mail.latency} check-ins for the latency, ${size.mail.rounds} x 2 bursts of ${size.mail.burst}`);
        results.mail = await mailFigures({ ...ctx, sink, log }, size.mail);
      }
      server.check();
      await server.stop();
    }
    if (wanted('memory')) {
      log('memory run: -Xmx512m');
      server = new BenchServer({ root: ROOT, jar, host: opts.target, db, logFile, heap: '512m' });
      await server.start();
      const fixture = await memoryFixture(server);
      results.memory = await memoryRun({ server, fixture, fail }, size.memory);
      server.check();
      await server.stop();
    }
  } catch (e) {
    fail(e.message);
  } finally {
    await cleanup();
  }
  results.machine.loadavg_end = (await import('node:os')).loadavg().map((v) => Math.round(v * 100) / 100);
  results.failures = failures;
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, JSON.stringify(results, null, 2) + '\n');
  printTable(results);
  log(`results: ${opts.out}`);
  if (failures.length) { log(`${failures.length} failure(s): the harness itself is broken`); process.exit(1); }
}

/** The memory server may reuse the main run's database: a room and an agent of its own. */
async function memoryFixture(server) {
  const api = server.api;
  const human = humanToken(server.secret, 'bench-org', 'bench-human');
  const slug = `bench-memory-run-${Date.now()}`;
  await api.post('/v1/rooms', human, { name: slug, slug }, { expect: [201] });
  const d = (await api.post('/v1/agents/register', human, { name: 'bench-memory-agent' }, { expect: [201] })).json.data;
  return { human, agents: [{ id: d.id, key: d.api_key }], rooms: { memory: slug, longpoll: slug } };
}

main().catch((e) => {
  process.stderr.write(`bench/run: ${e.message}\n`);
  process.exit(e.exitCode ?? 1);
});
