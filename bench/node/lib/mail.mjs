// The e-mail figures of issue 26 (section 4), against the harness's local SMTP sink
// (lib/smtp-sink.mjs) on a server started with WAITROOM_SMTP_URL pointing at it:
//   latency:    a burst of N check-ins into an org whose one human has an address; for each, the
//               time from its 201 reaching the harness to its e-mail accepted by the sink;
//   throughput: bursts of M check-ins into an org with no e-mail recipient and into one with one
//               recipient, alternated, on the same server: check-ins/s of each and their ratio (the
//               org without e-mail is the ceiling), and when the last of each burst's e-mails was
//               accepted. Each burst starts with the e-mail queue drained (the sink's count).
import http from 'node:http';
import os from 'node:os';
import { cpuMs, humanToken, now, percentile, pool, round, sleep } from './util.mjs';

export const CONNECTIONS = 32;
export const ADDRESS = 'approver@waitroom-bench.invalid'; // .invalid: the sink is the only reader
const BODY = { action: 'Deploy v2.3.1 to production', description: 'bench', risk_level: 'high', context: { env: 'prod' } };

/**
 * An org with {@code rooms} rooms and as many agents, one agent per room (the shape of "create 32
 * rooms, 32 agents"); its human has {@code email} (or none) and signs in once (GET /v1/me), which
 * stores the address: from then on every pending check-in of the org queues one e-mail to it.
 */
async function mailOrg(server, org, email, rooms) {
  const api = server.api;
  const human = humanToken(server.secret, org, `${org}-human`, { email });
  const me = (await api.get('/v1/me', human)).json;
  const stored = (me.data ?? me).email ?? null;
  if (stored !== email) throw new Error(`GET /v1/me of ${org} answered email ${stored}, not ${email}`);
  const lines = await pool(Array.from({ length: rooms }), 8, async (_, i) => {
    const slug = `${org}-${i}`;
    await api.post('/v1/rooms', human, { name: slug, slug }, { expect: [201] });
    const d = (await api.post('/v1/agents/register', human, { name: `${org}-agent-${i}` }, { expect: [201] })).json.data;
    return { path: `/v1/rooms/${slug}/check-in`, key: d.api_key };
  });
  return { org, human, email, lines };
}

const loadavg = () => os.loadavg().map((v) => round(v, 2));

/** Check-ins over {@link CONNECTIONS} keep-alive connections, all asked for at once. */
class BurstClient {
  constructor(base) {
    this.base = base;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  }

  request(method, path, key, payload) {
    return new Promise((resolve, reject) => {
      const req = http.request(new URL(path, this.base), {
        method,
        agent: this.agent,
        headers: {
          ...(key ? { Authorization: `Bearer ${key}` } : {}),
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
        },
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ t: now(), status: res.statusCode, text: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(payload ?? undefined);
    });
  }

  /** Opens the connections before a burst (unmeasured), so the burst does not time TCP set-up. */
  async prime() {
    await Promise.all(Array.from({ length: CONNECTIONS }, () => this.request('GET', '/healthz')));
  }

  /**
   * {@code n} check-ins at once, spread over the org's agents and rooms: the 201s' arrival times
   * by check-in id, the rate (n over first request sent to last answer) and request latencies.
   */
  async burst(org, n, fail) {
    await this.prime();
    const payload = Buffer.from(JSON.stringify(BODY));
    const answered = new Map();
    const latencies = [];
    const start = now();
    await Promise.all(Array.from({ length: n }, async (_, i) => {
      const { path, key } = org.lines[i % org.lines.length];
      const sent = now();
      let r;
      try {
        r = await this.request('POST', path, key, payload);
      } catch (e) {
        fail(`mail burst (${org.org}): ${e.message}`);
        return;
      }
      if (r.status !== 201) { fail(`mail burst (${org.org}): check-in answered ${r.status}: ${r.text.slice(0, 200)}`); return; }
      const ci = JSON.parse(r.text).data;
      if (ci.status !== 'pending') fail(`mail burst (${org.org}): a check-in was ${ci.status}, not pending`);
      answered.set(ci.id, r.t);
      latencies.push(r.t - sent);
    }));
    const end = Math.max(start, ...answered.values());
    return {
      start,
      end,
      answered,
      check_ins: answered.size,
      rps: round(answered.size / ((end - start) / 1000), 0),
      p50_ms: round(percentile(latencies, 50)),
      p99_ms: round(percentile(latencies, 99)),
    };
  }

  close() { this.agent.destroy(); }
}

/**
 * Waits until the sink has {@code expected} e-mails in all, then matches the burst's: for each of
 * its check-ins, its e-mail's acceptance time. A missing e-mail is broken machinery.
 */
async function awaitMails(sink, expected, burst, label, fail) {
  const ok = await sink.waitFor(expected);
  if (!ok) fail(`${label}: the SMTP sink accepted ${sink.count} e-mails, ${expected} expected (none for 30 s)`);
  const accepted = new Map();
  let duplicates = 0;
  for (const m of sink.messages) {
    if (!burst.answered.has(m.checkInId)) continue;
    if (accepted.has(m.checkInId)) { duplicates++; continue; }
    accepted.set(m.checkInId, m.t);
  }
  if (accepted.size < burst.answered.size) fail(`${label}: ${burst.answered.size - accepted.size} check-ins got no e-mail`);
  return { accepted, duplicates, last: accepted.size ? Math.max(...accepted.values()) : null };
}

/** The figures; {@code size}: {latency: N, burst: M, rounds: pairs of bursts}. */
export async function mailFigures(ctx, size) {
  const { server, sink, fail, log } = ctx;
  const loadStart = loadavg();
  const withMail = await mailOrg(server, 'bench-mail-org', ADDRESS, 32);
  const without = await mailOrg(server, 'bench-nomail-org', null, 32);
  const client = new BurstClient(server.base);
  let expected = 0; // e-mails the sink must have accepted so far: one per check-in of withMail
  // The server's CPU per check-in over a burst and, with e-mail, until its last e-mail was
  // accepted: on a shared machine the rates follow the other load, this does much less.
  const cpuPer = (before, n) => { const after = cpuMs(server.pid); return before == null || after == null || !n ? null : round((after - before) / n, 2); };
  const mailBurst = async (n, label) => {
    const cpu = cpuMs(server.pid);
    const b = await client.burst(withMail, n, fail);
    expected += b.check_ins;
    const m = await awaitMails(sink, expected, b, label, fail);
    b.cpu_ms_per_check_in = cpuPer(cpu, b.check_ins);
    return { b, m };
  };
  const plainBurst = async (n) => {
    const cpu = cpuMs(server.pid);
    const b = await client.burst(without, n, fail);
    await sleep(200);
    b.cpu_ms_per_check_in = cpuPer(cpu, b.check_ins);
    if (sink.count > expected) fail(`mail: ${sink.count - expected} e-mails more than the org with a recipient's check-ins (the org without got some)`);
    return b;
  };
  try {
    if (ctx.warmup > 0) {
      // As for the server figures: a cold server runs the create and e-mail paths interpreted.
      log(`mail: warm-up, ${ctx.warmup} s of alternating bursts of ${size.burst} (unreported)`);
      const until = now() + ctx.warmup * 1000;
      do {
        await plainBurst(size.burst);
        await mailBurst(size.burst, 'mail warm-up');
      } while (now() < until);
    }

    log(`mail: latency, a burst of ${size.latency} check-ins, 201 -> e-mail accepted`);
    await sleep(500);
    const lat = await mailBurst(size.latency, 'mail latency');
    const delays = [];
    for (const [id, t201] of lat.b.answered) if (lat.m.accepted.has(id)) delays.push(lat.m.accepted.get(id) - t201);
    const latency = {
      check_ins: size.latency,
      connections: CONNECTIONS,
      emails: delays.length,
      p50_ms: round(percentile(delays, 50)),
      p90_ms: round(percentile(delays, 90)),
      p99_ms: round(percentile(delays, 99)),
      max_ms: round(delays.length ? Math.max(...delays) : null),
      all_accepted_s: round(lat.m.last == null ? null : (lat.m.last - lat.b.start) / 1000, 2),
      create_rps: lat.b.rps,
      duplicates: lat.m.duplicates,
      target_p99_ms: 1000,
    };

    const rounds = [];
    for (let r = 0; r < size.rounds; r++) {
      // Alternate which goes first, so a drift over the run does not favour one side.
      const order = r % 2 === 0 ? ['without', 'with'] : ['with', 'without'];
      for (const kind of order) {
        log(`mail: round ${r + 1}, a burst of ${size.burst} check-ins ${kind} e-mail`);
        await sleep(500);
        if (kind === 'without') {
          const b = await plainBurst(size.burst);
          rounds.push({ round: r + 1, email: false, check_ins: b.check_ins, rps: b.rps, p50_ms: b.p50_ms, p99_ms: b.p99_ms, server_cpu_ms_per_check_in: b.cpu_ms_per_check_in });
        } else {
          const { b, m } = await mailBurst(size.burst, `mail round ${r + 1}`);
          rounds.push({
            round: r + 1,
            email: true,
            check_ins: b.check_ins,
            rps: b.rps,
            p50_ms: b.p50_ms,
            p99_ms: b.p99_ms,
            server_cpu_ms_per_check_in: b.cpu_ms_per_check_in,
            emails: m.accepted.size,
            duplicates: m.duplicates,
            last_email_s: round(m.last == null ? null : (m.last - b.start) / 1000, 2),
            last_email_after_last_201_s: round(m.last == null ? null : (m.last - b.end) / 1000, 2),
            emails_per_s: round(m.last == null ? null : m.accepted.size / ((m.last - b.start) / 1000), 0),
          });
        }
      }
    }
    const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
    const rpsWithout = mean(rounds.filter((x) => !x.email).map((x) => x.rps));
    const rpsWith = mean(rounds.filter((x) => x.email).map((x) => x.rps));
    return {
      smtp: 'the harness SMTP sink (lib/smtp-sink.mjs)',
      loadavg_start: loadStart,
      loadavg_end: loadavg(),
      latency,
      throughput: {
        burst: size.burst,
        connections: CONNECTIONS,
        rooms_agents: withMail.lines.length,
        rounds,
        rps_without_mean: round(rpsWithout, 0),
        rps_with_mean: round(rpsWith, 0),
        ratio: rpsWith && rpsWithout ? round(rpsWith / rpsWithout, 3) : null,
        server_cpu_ms_per_check_in_without: round(mean(rounds.filter((x) => !x.email).map((x) => x.server_cpu_ms_per_check_in)), 2),
        server_cpu_ms_per_check_in_with: round(mean(rounds.filter((x) => x.email).map((x) => x.server_cpu_ms_per_check_in)), 2),
        target_ratio: 0.9,
      },
    };
  } finally {
    client.close();
  }
}
