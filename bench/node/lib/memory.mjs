// Issue 11 finding 7: with a fixed heap, never-reading SSE clients and bursts of large events must
// not exhaust memory, other requests stay fast, and a GC brings the heap back near its start.
import net from 'node:net';
import http from 'node:http';
import { memory, mb, now, pool, round, scrape, sleep, stats } from './util.mjs';
import { openSse } from './streams.mjs';

/** A stream that sends its request and never reads a byte of the answer. */
function neverReading(server, room, token) {
  const u = new URL(server.base);
  const sock = net.connect({ host: server.host, port: Number(u.port) });
  sock.on('connect', () => {
    sock.pause();
    sock.write(`GET /v1/rooms/${room}/events HTTP/1.1\r\nHost: ${u.host}\r\n` +
      `Authorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`);
  });
  sock.on('error', () => {}); // cut by the server as a slow consumer: expected
  return sock;
}

export async function memoryRun(ctx, { streams, bursts, perBurst, payloadBytes }) {
  const { server, fixture, fail } = ctx;
  const api = server.api;
  const room = fixture.rooms.memory;
  const agent = fixture.agents[0];
  const probeCi = (await api.post(`/v1/rooms/${fixture.rooms.longpoll}/check-in`, agent.key,
    { action: 'Memory probe', risk_level: 'high' })).json.data.id;
  const start = await memory(api, server.pid, { collect: true });
  const cutsBefore = (await scrape(api)).slowCuts ?? 0;

  // One well-behaved reader: it must keep getting every event.
  let readerEvents = 0;
  const reader = await openSse(server.base, room, fixture.human, {
    onData: (chunk) => { readerEvents += chunk.split('event: signal.broadcast').length - 1; },
  });

  // A paused socket never sees the server's reset, so each burst gets fresh never-readers.
  let sockets = [];
  const topUp = async () => {
    for (const s of sockets) s.destroy();
    sockets = Array.from({ length: streams }, () => neverReading(server, room, fixture.human));
    await sleep(1000);
  };

  // Samples: heap and RSS (no GC) and the latency of other requests while the bursts run.
  let peakHeap = 0;
  let peakRss = 0;
  const probe = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const m = await memory(api, server.pid);
      peakHeap = Math.max(peakHeap, m.heap ?? 0);
      peakRss = Math.max(peakRss, m.rss ?? 0);
      const t = now();
      await api.get(`/v1/check-ins/${probeCi}/status`, agent.key);
      probe.push(now() - t);
      await sleep(100);
    }
  })();

  const blob = 'x'.repeat(payloadBytes - 64);
  let sent = 0;
  const t0 = now();
  for (let b = 0; b < bursts; b++) {
    await topUp();
    await pool(Array.from({ length: perBurst }), 16, async (_, i) => {
      await api.post(`/v1/rooms/${room}/signal`, fixture.human, { type: 'bench.memory', payload: { b, i, blob } });
      sent++;
    });
  }
  const burstS = (now() - t0) / 1000;
  sampling = false;
  await sampler;
  server.check();

  // The reader must have every event (it may lag: give it a few seconds).
  const deadline = Date.now() + 15000;
  while (readerEvents < sent && Date.now() < deadline) await sleep(100);
  if (readerEvents < sent) fail(`memory run: the reading stream got ${readerEvents} of ${sent} events`);

  const afterGcOpen = await memory(api, server.pid, { collect: true });
  for (const s of sockets) s.destroy();
  reader.req.destroy();
  await sleep(1000);
  const afterGcClosed = await memory(api, server.pid, { collect: true });
  const cuts = ((await scrape(api)).slowCuts ?? 0) - cutsBefore;
  const oom = server.oomInLog();
  if (oom) fail('memory run: OutOfMemoryError in the server log');
  const p = stats(probe);
  return {
    heap_max_mb: server.heap,
    never_reading_streams: streams,
    events: sent,
    event_mb: round((sent * payloadBytes) / 1048576, 1),
    bursts,
    burst_s: round(burstS, 1),
    slow_consumer_cuts: cuts,
    reader_events: readerEvents,
    heap_start_mb: mb(start.heap),
    heap_peak_mb: mb(peakHeap),
    heap_after_gc_mb: mb(afterGcOpen.heap),
    heap_after_gc_closed_mb: mb(afterGcClosed.heap),
    rss_start_mb: mb(start.rss),
    rss_peak_mb: mb(peakRss),
    rss_end_mb: mb(afterGcClosed.rss),
    other_requests_p50_ms: p.p50_ms,
    other_requests_p99_ms: p.p99_ms,
    other_requests_max_ms: p.max_ms,
    other_requests: p.count,
    out_of_memory: oom,
  };
}
