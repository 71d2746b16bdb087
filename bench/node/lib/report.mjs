// The table bench/run prints (BENCHMARKS.md pastes it).
const f = (v, d = 0) => (v == null || Number.isNaN(v) ? '-' : Number(v).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}x` : '-');

export function printTable(r) {
  const out = [];
  const c = r.ceilings ?? {};
  const hz = c.healthz?.rps;
  if (Object.keys(c).length || Object.keys(r.server ?? {}).length) {
    out.push('| figure (32 connections) | req/s | p50 ms | p99 ms | ceiling | ratio | / healthz |');
    out.push('| --- | ---: | ---: | ---: | --- | ---: | ---: |');
    if (c.healthz) out.push(`| GET /healthz (ceiling a) | ${f(hz)} | ${f(c.healthz.p50_ms, 1)} | ${f(c.healthz.p99_ms, 1)} | | | |`);
    for (const [k, v] of Object.entries(c)) {
      if (k === 'healthz') continue;
      out.push(`| pgbench ${v.name} (ceiling b, ${v.clients} clients) | ${f(v.tps)} tps | avg ${f(v.latency_avg_ms, 2)} | | | | |`);
    }
    const ceilingOf = (k) => (k.startsWith('create') || k.startsWith('task_create') ? ['create.sql', c.create_sql]
      : k.startsWith('approve') || k.startsWith('claim') ? ['decide.sql', c.decide_sql]
        : k === 'status' ? ['read.sql', c.read_sql] : [null, null]);
    for (const [k, v] of Object.entries(r.server ?? {})) {
      const [cn, cv] = ceilingOf(k);
      const flag = v.exhausted ? ' (ids ran out)' : v.timeouts ? ` (${v.timeouts} timeouts)` : '';
      out.push(`| ${v.name}${flag} | ${f(v.rps)} | ${f(v.p50_ms, 1)} | ${f(v.p99_ms, 1)} | ${cn ?? ''} | ${ratio(v.rps, cv?.tps)} | ${ratio(v.rps, hz)} |`);
    }
    out.push('');
  }
  if (r.sse?.length) {
    out.push('| SSE fan-out: one event to N streams | p50 ms | p99 ms | max ms | heap before / open (after GC) / peak MB | RSS before / open MB | retained heap per stream |');
    out.push('| --- | ---: | ---: | ---: | --- | --- | ---: |');
    for (const s of r.sse) {
      out.push(`| ${f(s.streams)} streams | ${f(s.p50_ms, 1)} | ${f(s.p99_ms, 1)} | ${f(s.max_ms, 1)} | ${f(s.heap_before_mb)} / ${f(s.heap_open_after_gc_mb)} / ${f(s.heap_peak_mb)} | ${f(s.rss_before_mb)} / ${f(s.rss_open_mb)} | ${f(s.retained_heap_per_stream_kb, 1)} KB |`);
    }
    out.push('');
  }
  if (r.longpoll) {
    const l = r.longpoll;
    out.push('| long-poll: N waiters woken by their decisions | p50 ms | p99 ms | max ms | all woken in | server threads idle / parked | heap parked MB |');
    out.push('| --- | ---: | ---: | ---: | ---: | --- | ---: |');
    out.push(`| ${f(l.waiters)} waiters (decision sent -> answer) | ${f(l.p50_ms, 1)} | ${f(l.p99_ms, 1)} | ${f(l.max_ms, 1)} | ${f(l.wake_all_s, 1)} s | ${l.threads_idle} / ${l.threads_parked} | ${f(l.heap_parked_mb)} |`);
    out.push('');
  }
  if (r.webhooks) {
    const w = r.webhooks;
    out.push('| webhooks to a local receiver | deliveries/s | p50 ms | p99 ms | max ms | duplicates |');
    out.push('| --- | ---: | ---: | ---: | ---: | ---: |');
    out.push(`| ${w.watchers} watchers x ${f(w.signals)} signals = ${f(w.deliveries)} deliveries (signal sent -> delivered) | ${f(w.deliveries_per_s)} | ${f(w.p50_ms, 1)} | ${f(w.p99_ms, 1)} | ${f(w.max_ms, 1)} | ${w.duplicates} |`);
    out.push('');
  }
  if (r.mail) {
    const l = r.mail.latency;
    const t = r.mail.throughput;
    const load = (a) => (a ? a.map((v) => f(v, 1)).join(' / ') : '-');
    out.push(`| e-mail: ${f(l.check_ins)} check-ins in a burst (${l.connections} connections), 201 -> e-mail accepted by the local SMTP sink | p50 ms | p90 ms | p99 ms | max ms | all accepted in | target |`);
    out.push('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
    out.push(`| ${f(l.emails)} e-mails${l.duplicates ? ` (${l.duplicates} duplicates)` : ''}, load ${load(r.mail.loadavg_start)} | ${f(l.p50_ms, 1)} | ${f(l.p90_ms, 1)} | ${f(l.p99_ms, 1)} | ${f(l.max_ms, 1)} | ${f(l.all_accepted_s, 2)} s | p99 < ${f(l.target_p99_ms)} ms: ${l.p99_ms != null && l.p99_ms < l.target_p99_ms ? 'met' : 'NOT met'} |`);
    out.push('');
    out.push(`| e-mail: bursts of ${f(t.burst)} check-ins (${t.connections} connections, ${t.rooms_agents} rooms and agents) | check-ins/s | p50 ms | p99 ms | last e-mail accepted (from the burst's start) | e-mails/s | server CPU ms per check-in |`);
    out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const x of t.rounds) {
      const dup = x.duplicates ? ` (${x.duplicates} duplicates)` : '';
      out.push(`| round ${x.round}, ${x.email ? 'org with one recipient' : 'org without e-mail recipients'}${dup} | ${f(x.rps)} | ${f(x.p50_ms, 1)} | ${f(x.p99_ms, 1)} | ${x.email ? `${f(x.last_email_s, 2)} s` : '-'} | ${x.email ? f(x.emails_per_s) : '-'} | ${f(x.server_cpu_ms_per_check_in, 2)} |`);
    }
    const met = t.ratio != null && t.ratio >= t.target_ratio;
    out.push(`| mean with / without e-mail (target >= ${t.target_ratio.toFixed(2)}x: ${met ? 'met' : 'NOT met'}) | ${f(t.rps_with_mean)} / ${f(t.rps_without_mean)} = ${t.ratio != null ? `${t.ratio.toFixed(2)}x` : '-'} | | | | | ${f(t.server_cpu_ms_per_check_in_with, 2)} / ${f(t.server_cpu_ms_per_check_in_without, 2)} |`);
    out.push('');
  }
  if (r.memory) {
    const m = r.memory;
    out.push(`| memory run (-Xmx${m.heap_max_mb}, ${f(m.never_reading_streams)} never-reading streams, ${f(m.event_mb, 1)} MB of events in ${m.bursts} bursts) | value |`);
    out.push('| --- | --- |');
    out.push(`| heap start / peak / after GC (streams open) / after GC (closed) | ${f(m.heap_start_mb)} / ${f(m.heap_peak_mb)} / ${f(m.heap_after_gc_mb)} / ${f(m.heap_after_gc_closed_mb)} MB |`);
    out.push(`| RSS start / peak / end | ${f(m.rss_start_mb)} / ${f(m.rss_peak_mb)} / ${f(m.rss_end_mb)} MB |`);
    out.push(`| other requests during the bursts (status read) p50 / p99 / max | ${f(m.other_requests_p50_ms, 1)} / ${f(m.other_requests_p99_ms, 1)} / ${f(m.other_requests_max_ms, 1)} ms (${m.other_requests} requests) |`);
    out.push(`| slow consumers cut / a reading stream got | ${f(m.slow_consumer_cuts)} / ${f(m.reader_events)} of ${f(m.events)} events |`);
    out.push(`| OutOfMemoryError | ${m.out_of_memory ? 'YES' : 'no'} |`);
    out.push('');
  }
  if (r.failures?.length) out.push(`FAILURES:\n${r.failures.map((x) => `- ${x}`).join('\n')}`);
  process.stdout.write(out.join('\n') + '\n');
}
