// The request-rate figures: server routes under wrk (32 connections) and, in the same run, their
// ceilings: GET /healthz of the same server and pgbench replaying the minimal SQL of the same work.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { round } from './util.mjs';

const THREADS = 2;
const CONNECTIONS = 32;
export const PGBENCH_CLIENTS = 16; // = WAITROOM_DB_POOL_SIZE: the server never has more in flight

export class Throughput {
  constructor({ root, workDir, server, db, fixture, duration, log, fail }) {
    Object.assign(this, { root, workDir, server, db, fixture, duration, log, fail });
    this.feeds = path.join(workDir, 'feeds');
    fs.mkdirSync(this.feeds, { recursive: true });
    this.results = [];
  }

  feed(name, lines) {
    const f = path.join(this.feeds, `${name}.tsv`);
    fs.writeFileSync(f, lines.map(([p, a]) => `${p}\t${a ? `Bearer ${a}` : ''}`).join('\n') + '\n');
    return { file: f, count: lines.length };
  }

  /** One wrk run; returns its figures. Any non-2xx answer or socket error fails the run. */
  wrk(name, feed, { method = 'GET', body, cycle = false, capture, duration = this.duration } = {}) {
    this.server.check();
    const env = {
      ...process.env,
      WRK_FEED: feed.file,
      WRK_METHOD: method,
      WRK_BODY: body ? JSON.stringify(body) : '',
      WRK_CYCLE: cycle ? '1' : '0',
      WRK_CAPTURE: capture ?? '',
      WRK_THREADS: String(THREADS),
    };
    if (capture) for (let t = 1; t <= THREADS; t++) fs.rmSync(`${capture}.${t}`, { force: true });
    const args = ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${duration}s`, '--timeout', '10s',
      '-s', path.join(this.root, 'bench', 'wrk', 'feed.lua'), this.server.base];
    const r = spawnSync('wrk', args, { env, encoding: 'utf8', timeout: (duration + 60) * 1000 });
    const line = (r.stdout || '').split('\n').reverse().find((l) => l.startsWith('{"requests"'));
    if (r.status !== 0 || !line) throw new Error(`wrk ${name} failed: ${r.stderr || r.stdout}`);
    const w = JSON.parse(line);
    const errors = w.connect_errors + w.read_errors + w.write_errors + w.non2xx;
    if (errors > 0) this.fail(`${name}: ${w.non2xx} non-2xx answers, ${w.connect_errors + w.read_errors + w.write_errors} socket errors`);
    this.server.check();
    const secs = w.duration_us / 1e6;
    return {
      name,
      requests: w.requests,
      rps: round(w.requests / secs, 0),
      p50_ms: round(w.p50_us / 1000, 1),
      p99_ms: round(w.p99_us / 1000, 1),
      max_ms: round(w.max_us / 1000, 1),
      timeouts: w.timeouts,
      errors,
      // A thread that runs out of lines stops; what its connections had in flight then is not
      // counted, so a feed within one request per connection of its end was used up: the rate is
      // then the feed's size over the duration, not the route's.
      exhausted: !cycle && w.requests + CONNECTIONS >= feed.count,
    };
  }

  captured(capture) {
    const ids = [];
    for (let t = 1; t <= THREADS; t++) {
      const f = `${capture}.${t}`;
      if (fs.existsSync(f)) ids.push(...fs.readFileSync(f, 'utf8').split('\n').filter(Boolean));
    }
    return ids;
  }

  /** A create phase whose ids feed a later phase. */
  create(name, lines, body, duration) {
    const capture = path.join(this.feeds, `${name}.ids`);
    const res = this.wrk(name, this.feed(name, lines), { method: 'POST', body, cycle: true, capture, duration });
    const ids = this.captured(capture);
    if (ids.length < res.requests * 0.99 && res.errors === 0) this.fail(`${name}: only ${ids.length} ids captured of ${res.requests}`);
    return { res, ids };
  }

  /**
   * A once-per-id phase (approve, claim). When it uses up its ids the rate would be an
   * underestimate, so more are made (an unreported create run) and it runs again on fresh ones.
   */
  consume(name, ids, toLine, body, refill) {
    let pool = ids;
    for (let attempt = 0; ; attempt++) {
      const res = this.wrk(name, this.feed(name, pool.map(toLine)), { method: 'POST', body });
      if (!res.exhausted || attempt === 2) return res;
      this.log(`  ${name}: used all ${pool.length} ids in ${this.duration} s; making more and running again`);
      pool = refill(this.duration * 2);
    }
  }

  pgbench(name, script, vars, { expectDecided } = {}) {
    this.server.check();
    const args = ['-n', '-M', 'prepared', '-c', String(PGBENCH_CLIENTS), '-j', '2', '-T', String(this.duration),
      '-f', path.join(this.root, 'bench', 'sql', script), ...this.db.connArgs().filter((a) => a !== '-d')];
    for (const [k, v] of Object.entries(vars)) args.push('-D', `${k}=${v}`);
    const r = spawnSync('pgbench', args, { encoding: 'utf8', timeout: (this.duration + 120) * 1000 });
    const out = `${r.stdout}\n${r.stderr}`;
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1]);
    const tx = Number(/number of transactions actually processed: (\d+)/.exec(out)?.[1]);
    const failed = Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? 0);
    const lat = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1]);
    if (r.status !== 0 || !tps) throw new Error(`pgbench ${name} failed: ${out.trim().slice(-600)}`);
    if (failed > 0) this.fail(`${name}: ${failed} failed transactions`);
    const res = { name, tps: round(tps, 0), transactions: tx, latency_avg_ms: round(lat, 2), clients: PGBENCH_CLIENTS };
    if (expectDecided) {
      const decided = Number(expectDecided());
      res.decided = decided;
      // A transaction that found no pending check-in would do less work and inflate the ceiling.
      if (decided !== tx) this.fail(`${name}: ${tx} transactions but ${decided} check-ins decided`);
    }
    return res;
  }
}
