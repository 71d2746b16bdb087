// Interleaved A/B of server builds on a busy machine (issue 29): every build runs at once, each on
// a database of its own on the same PostgreSQL, and the figures are taken in short turns, A, B, C,
// A, B, C ..., so that a change in the machine's load falls on every build alike. Per turn: create
// (32 agents in one room) then approve of what it made (for half as long), wrk -t2 -c32 as
// bench/run. Medians over the rounds; the first build is the baseline.
//   node bench/node/ab.mjs --jar A=path/a.jar --jar B=path/b.jar [--rounds 4] [--duration 6] [--warmup 20]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchDatabase, BenchServer } from './lib/server.mjs';
import { Throughput } from './lib/throughput.mjs';
import { humanToken, round } from './lib/util.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const jars = [];
let rounds = 4;
let duration = 6;
let warmup = 20;
let keep = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--jar') { const [k, v] = args[++i].split('='); jars.push({ name: k, jar: path.resolve(v) }); }
  else if (args[i] === '--rounds') rounds = Number(args[++i]);
  else if (args[i] === '--duration') duration = Number(args[++i]);
  else if (args[i] === '--warmup') warmup = Number(args[++i]);
  else if (args[i] === '--keep') keep = true;
}
const log = (m) => console.error(`[ab] ${m}`);
const work = path.join(ROOT, 'target', 'bench-ab');
fs.mkdirSync(work, { recursive: true });
const body = { action: 'Deploy v2.3.1 to production', description: 'bench', risk_level: 'high', context: { env: 'prod' } };

const variants = [];
try {
  for (const [i, v] of jars.entries()) {
    const db = new BenchDatabase({ embedded: false, pgHost: '127.0.0.1', pgPort: 5432, workDir: work });
    db.name = `waitroom_ab_${process.pid}_${i}`;
    db.dataDir = path.join(work, `data-${process.pid}-${i}`);
    db.create();
    const server = await new BenchServer({ root: ROOT, jar: v.jar, host: '127.0.0.1', db, logFile: path.join(work, `${v.name}.log`) }).start();
    const human = humanToken(server.secret, 'bench-org', 'bench-human');
    const api = server.api;
    const room = (await api.post('/v1/rooms', human, { name: 'ab', slug: 'ab' }, { expect: [201] })).json.data;
    const agents = [];
    for (let a = 0; a < 32; a++) agents.push((await api.post('/v1/agents/register', human, { name: `ab-${a}` }, { expect: [201] })).json.data.api_key);
    const dir = path.join(work, v.name);
    fs.mkdirSync(dir, { recursive: true });
    const t = new Throughput({ root: ROOT, workDir: dir, server, db, duration, log, fail: (m) => { throw new Error(m); } });
    const lines = agents.map((k) => [`/v1/rooms/${room.slug}/check-in`, k]);
    variants.push({ ...v, db, server, t, human, lines, create: [], approve: [] });
    log(`${v.name}: ${v.jar} on ${server.base}`);
  }
  const turn = (v, record) => {
    const made = v.t.create(`create ${v.name}`, v.lines, body, duration);
    // Approve runs half as long as create made ids for, so it does not run out of them.
    const approved = v.t.wrk(`approve ${v.name}`, v.t.feed(`approve-${v.name}`, made.ids.map((id) => [`/v1/check-ins/${id}/approve`, v.human])), { method: 'POST', body: {}, duration: Math.max(2, Math.floor(duration / 2)) });
    if (record) {
      v.create.push(made.res.rps);
      v.approve.push(approved.exhausted ? null : approved.rps);
    }
    return `${v.name} create ${made.res.rps} approve ${approved.rps}${approved.exhausted ? ' (ids used up)' : ''}`;
  };
  log(`warm-up: ${warmup} s per build`);
  for (const v of variants) for (let s = 0; s < warmup; s += 2 * duration) turn(v, false);
  for (let r = 1; r <= rounds; r++) {
    for (const v of variants) log(`round ${r}: ${turn(v, true)}`);
  }
  const median = (xs) => { const s = xs.filter((x) => x != null).sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : null; };
  console.log('| build | create req/s per round | median | approve req/s per round | median |');
  console.log('| --- | --- | ---: | --- | ---: |');
  for (const v of variants) {
    console.log(`| ${v.name} | ${v.create.join(' / ')} | ${median(v.create)} | ${v.approve.map((x) => x ?? '-').join(' / ')} | ${median(v.approve)} |`);
  }
  const base = variants[0];
  for (const v of variants.slice(1)) {
    const c = median(v.create) / median(base.create) - 1;
    const a = median(v.approve) / median(base.approve) - 1;
    console.log(`${v.name} against ${base.name}: create ${round(c * 100, 1)}%, approve ${round(a * 100, 1)}%`);
  }
} finally {
  for (const v of variants) {
    try { await v.server.stop?.(); } catch { /* best effort */ }
    try { v.server.proc?.kill('SIGTERM'); } catch { /* best effort */ }
  }
  await new Promise((r) => setTimeout(r, 3000));
  if (keep) log(`kept: ${variants.map((v) => v.db.name).join(', ')}`);
  else for (const v of variants) v.db.drop();
}
