// The push figures: SSE fan-out, long-poll waiters, webhook deliveries. Raw node:http clients so
// that 10,000 connections cost the client little and every timing is taken as bytes arrive.
import http from 'node:http';
import { Worker } from 'node:worker_threads';
import { memory, mb, now, pool, round, scrape, sleep, stats } from './util.mjs';

/** An SSE stream that records when a marker string first arrives. */
export function openSse(base, room, token, { onData } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(new URL(`/v1/rooms/${room}/events`, base), {
      agent: false,
      headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
    });
    const s = { req, res: null, tail: '', markers: new Map(), waiting: new Map(), closed: false };
    req.on('error', (e) => { s.closed = true; if (!s.res) reject(e); });
    req.on('response', (res) => {
      s.res = res;
      if (res.statusCode !== 200) { reject(new Error(`SSE answered ${res.statusCode}`)); res.resume(); return; }
      res.setEncoding('utf8');
      let connected = false;
      res.on('data', (chunk) => {
        const t = now();
        const text = s.tail + chunk;
        if (!connected && text.includes(': connected')) { connected = true; resolve(s); }
        for (const [m, cb] of s.waiting) if (text.includes(m)) { s.waiting.delete(m); cb(t); }
        if (onData) onData(chunk, t);
        s.tail = text.slice(-256);
      });
      res.on('close', () => { s.closed = true; });
    });
  });
}

export function whenMarker(s, marker, timeoutMs) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { s.waiting.delete(marker); resolve(null); }, timeoutMs);
    s.waiting.set(marker, (t) => { clearTimeout(timer); resolve(t); });
  });
}

export async function openMany(base, room, token, n, batch = 250) {
  const streams = [];
  for (let i = 0; i < n; i += batch) {
    const k = Math.min(batch, n - i);
    streams.push(...(await Promise.all(Array.from({ length: k }, () => openSse(base, room, token)))));
  }
  return streams;
}

export function closeAll(streams) { for (const s of streams) s.req.destroy(); }

async function waitMetric(api, key, pred, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await scrape(api);
    if (pred(m[key])) return m[key];
    if (Date.now() > deadline) return m[key];
    await sleep(200);
  }
}

/** Threads that read the fan-out's streams (lib/sse-worker.mjs), each an equal share. */
export const SSE_READERS = 2;

/**
 * A worker thread holding a share of the streams. {@code next(key)}: the next message carrying
 * {@code key} (messages that come first wait for their ask); an {@code error} message fails them.
 */
function sseReader(base, room, token) {
  const worker = new Worker(new URL('./sse-worker.mjs', import.meta.url), { workerData: { base, room, token } });
  const early = [];
  const waiting = [];
  const settle = () => {
    for (let i = 0; i < waiting.length; i++) {
      const j = early.findIndex((m) => m.error || waiting[i].key in m);
      if (j < 0) continue;
      const [m] = early.splice(j, 1);
      const [w] = waiting.splice(i--, 1);
      if (m.error) w.reject(new Error(m.error)); else w.resolve(m[w.key]);
    }
  };
  worker.on('message', (m) => { early.push(m); settle(); });
  worker.on('error', (e) => { early.push({ error: String(e?.stack ?? e) }); settle(); });
  return {
    worker,
    send: (msg) => worker.postMessage(msg),
    next: (key) => new Promise((resolve, reject) => { waiting.push({ key, resolve, reject }); settle(); }),
  };
}

/**
 * N streams on one room, one signal: the time until every stream has it, and what they cost. The
 * streams are read by {@link SSE_READERS} worker threads, so that the client's own reading is
 * spread as the server's writing is (both still share the machine's cores).
 */
export async function sseFanout(ctx, n) {
  const { server, fixture, fail } = ctx;
  const api = server.api;
  const room = fixture.rooms.fanout;
  const before = await memory(api, server.pid, { collect: true });
  const readers = Array.from({ length: SSE_READERS }, () => sseReader(server.base, room, fixture.human));
  const shares = readers.map((_, i) => Math.floor(n / SSE_READERS) + (i < n % SSE_READERS ? 1 : 0));
  try {
    const t0 = now();
    await Promise.all(readers.map((r, i) => { const opened = r.next('opened'); r.send({ open: shares[i] }); return opened; }));
    const connectS = (now() - t0) / 1000;
    await waitMetric(api, 'sse', (v) => v >= n, 10000);
    const open = await memory(api, server.pid, { collect: true });
    const rounds = [];
    for (let r = 0; r < 3; r++) {
      const marker = `bench.fanout.${n}.${r}.${Date.now()}`;
      // Every reader has armed its streams before the signal is sent.
      await Promise.all(readers.map((x) => { const armed = x.next('armed'); x.send({ arm: marker }); return armed; }));
      const results = readers.map((x) => x.next('times'));
      const sent = now();
      await api.post(`/v1/rooms/${room}/signal`, fixture.human, { type: marker, payload: { n } });
      const times = (await Promise.all(results)).flat().filter((t) => t != null).map((t) => t - sent);
      if (times.length < n) fail(`SSE fan-out ${n}: ${n - times.length} streams never got the event`);
      rounds.push(stats(times));
    }
    const peak = await memory(api, server.pid);
    await Promise.all(readers.map((r) => { const closed = r.next('closed'); r.send('close'); return closed; }));
    await waitMetric(api, 'sse', (v) => v === 0, 15000);
    // Round 0 is the event that is measured; the next two show the spread on a warm path.
    return {
      streams: n,
      readers: SSE_READERS,
      connect_s: round(connectS, 1),
      ...rounds[0],
      rounds,
      heap_before_mb: mb(before.heap),
      heap_open_after_gc_mb: mb(open.heap),
      heap_peak_mb: mb(Math.max(peak.heap, open.heap)),
      rss_before_mb: mb(before.rss),
      rss_open_mb: mb(peak.rss),
      retained_heap_per_stream_kb: round((open.heap - before.heap) / n / 1024, 1),
      rss_per_stream_kb: round((peak.rss - before.rss) / n / 1024, 1),
      threads: peak.threads,
    };
  } finally {
    await Promise.all(readers.map((r) => r.worker.terminate()));
  }
}

/** N long-poll waiters, each woken by its check-in's decision. */
export async function longPoll(ctx, n) {
  const { server, fixture, fail } = ctx;
  const api = server.api;
  const agent = fixture.agents[0];
  const ids = await pool(Array.from({ length: n }), 32, async () => {
    const r = await api.post(`/v1/rooms/${fixture.rooms.longpoll}/check-in`, agent.key,
      { action: 'Long-poll bench', risk_level: 'high' }, { expect: [201] });
    return r.json.data.id;
  });
  const idle = await memory(api, server.pid, { collect: true });
  let reparked = 0;
  const answered = new Array(n);
  const wait = (id, i) => new Promise((resolve) => {
    const req = http.get(new URL(`/v1/check-ins/${id}/status?wait=60`, server.base),
      { agent: false, headers: { Authorization: `Bearer ${agent.key}` } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const t = now();
          let status = null;
          try { status = JSON.parse(Buffer.concat(chunks).toString()).data.status; } catch { /* below */ }
          if (res.statusCode !== 200) { fail(`long-poll answered ${res.statusCode}`); resolve(); return; }
          if (status === 'pending') { reparked++; wait(id, i).then(resolve); return; } // wait ran out
          answered[i] = { t, status };
          resolve();
        });
      });
    req.on('error', (e) => { fail(`long-poll ${id}: ${e.message}`); resolve(); });
  });
  const done = Promise.all(ids.map((id, i) => wait(id, i)));
  const parked = await waitMetric(api, 'waiters', (v) => v >= n, 60000);
  if (parked < n) fail(`long-poll: only ${parked} of ${n} waiters parked`);
  const busy = await memory(api, server.pid);
  const sent = new Array(n);
  const t0 = now();
  await pool(ids, 32, async (id, i) => {
    sent[i] = now();
    await api.post(`/v1/check-ins/${id}/approve`, fixture.human, {});
  });
  await done;
  const wall = (now() - t0) / 1000;
  const delays = [];
  for (let i = 0; i < n; i++) {
    if (!answered[i]) continue;
    if (answered[i].status !== 'approved') fail(`long-poll: a waiter got ${answered[i].status}`);
    delays.push(answered[i].t - sent[i]);
  }
  if (delays.length < n) fail(`long-poll: ${n - delays.length} waiters never answered`);
  return {
    waiters: n,
    ...stats(delays),
    wake_all_s: round(wall, 1),
    decisions_per_s: round(n / wall, 0),
    reparked,
    threads_idle: idle.threads,
    threads_parked: busy.threads,
    heap_idle_mb: mb(idle.heap),
    heap_parked_mb: mb(busy.heap),
    rss_parked_mb: mb(busy.rss),
  };
}

/**
 * Webhooks: W watchers with a webhook on a receiver of the harness, S signals: deliveries per
 * second and end-to-end delay. Unless the run has no warm-up (--ci), an unreported round of as many
 * watchers and signals goes first, in a room of its own: a server that has not yet delivered runs
 * the delivery path in the interpreter, and its first figures would measure the JIT (as for the
 * server figures; a round with half the signals still left the JIT compiling through the next).
 */
export async function webhooks(ctx, watchers, signals) {
  if (ctx.warmup > 0) {
    const slug = `bench-hooks-warm-up-${Date.now()}`;
    await ctx.server.api.post('/v1/rooms', ctx.fixture.human, { name: slug, slug }, { expect: [201] });
    await webhookRound(ctx, slug, watchers, signals);
  }
  return webhookRound(ctx, ctx.fixture.rooms.hooks, watchers, signals);
}

/** One round: W watchers on {@code room}, S signals into it, measured. */
async function webhookRound(ctx, room, watchers, signals) {
  const { server, fixture, fail, host } = ctx;
  const api = server.api;
  const sentAt = new Map();
  const seen = new Set();
  const arrivals = []; // [t, signal id] of each delivery's first arrival
  let duplicates = 0;
  let last = 0;
  let resolveAll;
  const all = new Promise((r) => { resolveAll = r; });
  const expected = watchers * signals;
  // The receiver runs on a worker thread (lib/receiver.mjs), so that posting the signals here
  // does not delay its answers; arrival times are taken there, on the same monotonic clock.
  const receiver = new Worker(new URL('./receiver.mjs', import.meta.url), { workerData: { host } });
  const port = await new Promise((resolve, reject) => {
    receiver.once('error', reject);
    receiver.on('message', (m) => {
      if (m.port) { resolve(m.port); return; }
      for (const [t, id, sig] of m.deliveries) {
        if (seen.has(id)) { duplicates++; continue; }
        seen.add(id);
        arrivals.push([t, sig]);
        last = Math.max(last, t);
      }
      if (seen.size >= expected) resolveAll();
    });
  });
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/hook`;
  try {
    for (let w = 0; w < watchers; w++) {
      await api.post(`/v1/rooms/${room}/watch`, fixture.agents[w % fixture.agents.length].key,
        { event_types: ['signal.broadcast'], webhook_url: url }, { expect: [201] });
    }
    const t0 = now();
    await pool(Array.from({ length: signals }), 32, async (_, i) => {
      const t = now();
      const r = await api.post(`/v1/rooms/${room}/signal`, fixture.human, { type: 'bench.hook', payload: { i } });
      sentAt.set(r.json.data.id, t);
    });
    const postS = (now() - t0) / 1000;
    // Slow is not broken: wait as long as deliveries keep arriving, give up after 30 s of none.
    let progress = -1;
    while (seen.size < expected && seen.size > progress) {
      progress = seen.size;
      await Promise.race([all, sleep(30000)]);
    }
    if (seen.size < expected) fail(`webhooks: ${expected - seen.size} of ${expected} deliveries never arrived`);
    const wall = (last - t0) / 1000;
    // A delivery can arrive before its signal's answer has: the delays are taken at the end.
    const delays = [];
    for (const [t, sig] of arrivals) if (sentAt.has(sig)) delays.push(t - sentAt.get(sig));
    return {
      watchers,
      signals,
      deliveries: seen.size,
      deliveries_per_s: round(seen.size / wall, 0),
      signals_posted_per_s: round(signals / postS, 0),
      ...stats(delays),
      duplicates,
    };
  } finally {
    const exited = new Promise((r) => receiver.once('exit', r));
    receiver.postMessage('close');
    await Promise.race([exited, sleep(5000)]);
    await receiver.terminate();
  }
}
