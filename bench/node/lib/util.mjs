// Small helpers shared by the harness: statistics, a JSON API client, server process figures.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { execFileSync } from 'node:child_process';

export const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

/** Benchmarks touch only loopback addresses: anything else is refused before any work. */
export function requireLoopback(option, host) {
  const h = String(host).trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (!LOOPBACK.includes(h)) {
    const e = new Error(
      `refusing ${option} ${host}: the benchmark harness only targets loopback ` +
        `(${LOOPBACK.join(', ')}); it never loads another host`);
    e.exitCode = 2;
    throw e;
  }
  return h;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const now = () => Number(process.hrtime.bigint()) / 1e6; // ms, monotonic

export function percentile(values, p) {
  if (values.length === 0) return null;
  const s = Float64Array.from(values).sort();
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

export function stats(values) {
  return {
    count: values.length,
    p50_ms: round(percentile(values, 50)),
    p99_ms: round(percentile(values, 99)),
    max_ms: round(values.length ? Math.max(...values) : null),
  };
}

export const round = (v, d = 1) => (v == null ? null : Math.round(v * 10 ** d) / 10 ** d);
export const mb = (bytes) => (bytes == null ? null : round(bytes / 1048576, 1));

/**
 * A human JWT signed with the server's HS256 secret (the same claims the token command writes;
 * {@code email}: the claim `token --email` adds, the address the server's e-mails go to).
 */
export function humanToken(secret, org, sub, { email } = {}) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const iat = Math.floor(Date.now() / 1000);
  const body = b64({ sub, org_id: org, name: sub, ...(email ? { email } : {}), iat, exp: iat + 86400 });
  const sig = crypto.createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** One JSON API client; every non-2xx answer is a broken-machinery failure unless expected. */
export class Api {
  constructor(base) {
    this.base = base;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  }

  request(method, path, auth, body, { expect } = {}) {
    const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const url = new URL(path, this.base);
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            ...(auth ? { Authorization: `Bearer ${auth}` } : {}),
            ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            const ok = expect ? expect.includes(res.statusCode) : res.statusCode < 300;
            if (!ok) {
              reject(new Error(`${method} ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`));
              return;
            }
            let json = null;
            try { json = text ? JSON.parse(text) : null; } catch { json = text; }
            resolve({ status: res.statusCode, json, text });
          });
        });
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  get(path, auth, o) { return this.request('GET', path, auth, undefined, o); }
  post(path, auth, body = {}, o) { return this.request('POST', path, auth, body, o); }
}

/** Runs fn over items with at most `limit` in flight; keeps the results in order. */
export async function pool(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** RSS and thread count of a process, from /proc. */
export function procStatus(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(s)?.[1] ?? 0) * 1024;
    const threads = Number(/Threads:\s+(\d+)/.exec(s)?.[1] ?? 0);
    return { rss, threads };
  } catch {
    return { rss: null, threads: null };
  }
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat (clock ticks of
 * 10 ms, Linux's USER_HZ of 100): what a figure cost the server, whatever else ran on the machine.
 */
export function cpuMs(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
    return (Number(f[11]) + Number(f[12])) * 10; // utime, stime
  } catch {
    return null;
  }
}

/** Heap in use, from the JVM itself (jcmd GC.heap_info): /metrics has no JVM memory gauges. */
export function heapUsed(pid) {
  try {
    const out = execFileSync('jcmd', [String(pid), 'GC.heap_info'], { encoding: 'utf8', timeout: 30000 });
    const m = /heap\s+total \d+K, used (\d+)K/.exec(out);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** A few gauges from the server's Prometheus text. */
export async function scrape(api) {
  const { text } = await api.get('/metrics');
  const sum = (re) => {
    let t = 0;
    let seen = false;
    for (const line of text.split('\n')) {
      if (line.startsWith('#')) continue;
      if (re.test(line)) { t += Number(line.slice(line.lastIndexOf(' ') + 1)); seen = true; }
    }
    return seen ? t : null;
  };
  return {
    sse: sum(/^waitroom_streams_open\{[^}]*transport="sse"/),
    waiters: sum(/^waitroom_longpoll_waiters[ {]/),
    slowCuts: sum(/^waitroom_streams_slow_consumer_disconnects_total[ {]/),
    pending: sum(/^waitroom_webhook_deliveries_pending[ {]/),
  };
}

/** A full GC in the server (jcmd), so that heap figures show what is retained. */
export function gc(pid) {
  try {
    execFileSync('jcmd', [String(pid), 'GC.run'], { stdio: 'ignore', timeout: 30000 });
    return true;
  } catch {
    return false;
  }
}

export async function memory(api, pid, { collect = false } = {}) {
  if (collect) { gc(pid); await sleep(300); }
  const m = await scrape(api);
  const p = procStatus(pid);
  return { heap: heapUsed(pid), rss: p.rss, threads: p.threads, metrics: m };
}
