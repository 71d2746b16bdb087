// The SDK against a real server (started by TypeScriptSdkTest with an embedded database):
// WAITROOM_BASE_URL, WAITROOM_HUMAN_TOKEN (a human of one org), WAITROOM_SECOND_TOKEN (another
// human of that org), WAITROOM_OTHER_TOKEN (a human of another org). The server runs with WAITROOM_RATE_LIMIT_PER_MINUTE=300 and a 300 ms stream ping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { WaitroomClient, WaitroomError, WaitroomTimeoutError, WebhookVerificationError, verifyWebhook } from '@waitroom-io/sdk';

const baseUrl = required('WAITROOM_BASE_URL');
const human = new WaitroomClient({ apiKey: required('WAITROOM_HUMAN_TOKEN'), baseUrl });
const stranger = new WaitroomClient({ apiKey: required('WAITROOM_OTHER_TOKEN'), baseUrl });
// A second human of the same org as `human`, for quorums.
const colleague = new WaitroomClient({ apiKey: required('WAITROOM_SECOND_TOKEN'), baseUrl });
const target = new URL(baseUrl);

function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

let n = 0;
const unique = (s) => `${s}-${Date.now().toString(36)}-${++n}`;
const delay = (ms) => new Promise((r) => setTimeout(r, ms));

async function room(policies) {
  return human.rooms.create(policies ? { name: unique('Room'), policies } : { name: unique('Room') });
}

async function agent(opts = {}) {
  const a = await human.agents.register({ name: unique('agent'), ...opts });
  return { id: a.id, key: a.api_key, client: new WaitroomClient({ apiKey: a.api_key, baseUrl }) };
}

async function rejects(promise, check) {
  try {
    await promise;
  } catch (e) {
    check(e);
    return e;
  }
  assert.fail('expected a rejection');
}

/** A TCP proxy in front of the server whose connections the test can cut or black-hole. */
async function proxy() {
  const sockets = new Set();
  const state = { blackhole: false, connections: 0, dropResponses: 0, requests: 0 };
  const server = net.createServer((client) => {
    state.connections++;
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    let dropThis = false;
    client.on('data', (d) => {
      if (state.blackhole) return;
      if (/^(GET|POST|PUT|DELETE) /.test(d.toString('latin1', 0, 8))) {
        state.requests++;
        if (state.dropResponses > 0) {
          state.dropResponses--;
          dropThis = true;
        }
      }
      upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (state.blackhole) return;
      if (dropThis) {
        // The server did the work; the client never hears of it.
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(d);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    state,
    url: `http://127.0.0.1:${server.address().port}`,
    cut() {
      for (const s of sockets) s.destroy();
    },
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** Collects events from a subscription in the background. */
function collect(sub) {
  const events = [];
  const done = (async () => {
    for await (const e of sub) events.push(e);
  })();
  return {
    events,
    done,
    async until(pred, what, ms = 15000) {
      const end = Date.now() + ms;
      while (!pred(events)) {
        if (Date.now() > end) assert.fail(`timed out waiting for ${what}: got ${JSON.stringify(events.map((e) => e.id))}`);
        await delay(20);
      }
    },
  };
}

test('the product page snippets run unchanged against the server (room "default")', async () => {
  const seed = await import('./.build/seed-snippets.js');
  process.env.WAITROOM_API_KEY = 'wr_' + 'x'.repeat(40);
  assert.ok(seed.initialize() instanceof WaitroomClient);
  const r = await human.rooms.create({ name: 'Default', slug: 'default' });
  const a = await agent();
  await seed.resourceMethods(a.client);
  const pending = await human.checkIns.listPending('default');
  assert.deepEqual(pending.data.map((c) => [c.action, c.risk_level, c.urgency]), [['Deploy to production', 'high', 'normal']]);
  const watchers = await human.watchers.list('default');
  assert.deepEqual(watchers.data.map((w) => w.event_types), [['signal.broadcast']]);
  const signals = human.events.subscribe('default', { types: ['signal.broadcast'], lastEventId: 0 });
  for await (const e of signals) {
    assert.deepEqual(e.data.payload, { feature: 'dark_mode', enabled: true });
    break;
  }
  await human.checkIns.approve(pending.data[0].id);

  const waiting = seed.checkInAndWait(a.client);
  const [ci] = await pollPending('default', 1);
  assert.equal(ci.action, 'Send invoice to client');
  await human.checkIns.approve(ci.id);
  await waiting;
  assert.equal((await a.client.checkIns.status(ci.id)).status, 'approved');

  // Room 'room' does not exist: the snippet's catch swallows the NOT_FOUND.
  await seed.errorHandling(a.client);
  assert.equal(r.slug, 'default');
});

test('rooms: create, get by slug and id, list as a page and with for await over pages', async () => {
  const r = await human.rooms.create({ name: unique('Deploys'), description: 'prod' });
  assert.match(r.id, /^rm_/);
  assert.equal(r.policies.default_action, 'require_approval');
  assert.equal((await human.rooms.get(r.slug)).id, r.id);
  assert.equal((await human.rooms.get(r.id)).slug, r.slug);
  await room();
  const page = await human.rooms.list({ limit: 1 });
  assert.equal(page.data.length, 1);
  assert.equal(page.has_more, true);
  assert.equal(typeof page.cursor, 'string');
  const seen = [];
  for await (const x of human.rooms.list({ limit: 1 })) seen.push(x.id);
  assert.ok(seen.includes(r.id));
  assert.equal(new Set(seen).size, seen.length);
  assert.deepEqual(await human.rooms.list({ limit: 100 }).all().then((a) => a.map((x) => x.id)), seen);
});

test('policies: put, get and evaluate', async () => {
  const r = await room();
  const updated = await human.policies.put(r.slug, {
    default_action: 'require_approval',
    timeout_minutes: 30,
    timeout_action: 'hold',
    rules: [{ id: 'reads-ok', effect: 'auto_approve', conditions: { action_matches: '^read ' } }],
  });
  assert.equal(updated.policies.timeout_action, 'hold');
  const doc = await human.policies.get(r.slug);
  assert.equal(doc.rules[0].id, 'reads-ok');
  const ev = await human.policies.evaluate(r.slug, { action: 'read the logs', risk_level: 'low' });
  assert.equal(ev.status, 'approved');
  assert.equal(ev.rule_id, 'reads-ok');
  assert.equal(ev.dry_run, true);
});

test('agents: register, me, list, get, trust, self-register and claim', async () => {
  const a = await agent({ platform: 'node' });
  const me = await a.client.agents.me();
  assert.equal(me.id, a.id);
  assert.equal(me.status, 'active');
  assert.equal((await human.agents.get(a.id)).platform, 'node');
  const all = await human.agents.list({ limit: 100 }).all();
  assert.ok(all.some((x) => x.id === a.id));
  const trust = await human.agents.trust(a.id);
  assert.equal(trust.agent_id, a.id);
  assert.equal(trust.initial_score, 15);

  const anonymous = new WaitroomClient({ baseUrl });
  const self = await anonymous.agents.selfRegister({ name: unique('self') });
  assert.equal(self.status, 'pending_claim');
  const selfClient = new WaitroomClient({ apiKey: self.api_key, baseUrl });
  assert.equal((await selfClient.agents.me()).claim_token, self.claim_token);
  const claimed = await human.agents.claim(self.claim_token);
  assert.equal(claimed.status, 'active');
  await rejects(human.agents.claim(self.claim_token), (e) => {
    assert.equal(e.code, 'CONFLICT');
    assert.equal(e.statusCode, 409);
  });
});

test('check-ins: create, get, status, list pending, thread, decide and withdraw', async () => {
  const r = await room();
  const a = await agent();
  const ci = await a.client.checkIns.create(r.slug, { action: 'Deploy v2', risk_level: 'high', context: { env: 'prod' } });
  assert.equal(ci.status, 'pending');
  assert.equal(ci.context.env, 'prod');
  const detail = await a.client.checkIns.get(ci.id);
  assert.ok(Array.isArray(detail.messages));
  assert.equal((await a.client.checkIns.status(ci.id)).decision_reason, null);
  const pending = await human.checkIns.listPending(r.slug);
  assert.deepEqual(pending.data.map((c) => c.id), [ci.id]);

  const msg = await a.client.checkIns.postMessage(ci.id, { body: 'ready when you are', message_type: 'question' });
  assert.equal(msg.message_type, 'question');
  const thread = await human.checkIns.messages(ci.id).all();
  assert.ok(thread.some((m) => m.id === msg.id));

  const approved = await human.checkIns.approve(ci.id, { reason: 'go' });
  assert.equal(approved.status, 'approved');
  const second = await a.client.checkIns.create(r.slug, { action: 'Drop cache' });
  assert.equal((await human.checkIns.reject(second.id, { reason: 'no' })).status, 'rejected');
  const third = await a.client.checkIns.create(r.slug, { action: 'Scale up' });
  const modified = await human.checkIns.modify(third.id, { reason: 'smaller', modifications: { replicas: 2 } });
  assert.equal(modified.decision.modifications.replicas, 2);
  const fourth = await a.client.checkIns.create(r.slug, { action: 'Rotate keys' });
  assert.equal((await a.client.checkIns.withdraw(fourth.id)).status, 'withdrawn');
  await rejects(a.client.checkIns.withdraw(fourth.id), (e) => {
    assert.equal(e.code, 'CONFLICT');
    assert.equal(e.details.status, 'withdrawn');
  });
});

test('an explicit Idempotency-Key returns the first check-in again', async () => {
  const r = await room();
  const a = await agent();
  const key = unique('idem');
  const one = await a.client.checkIns.create(r.slug, { action: 'Once' }, { idempotencyKey: key });
  const two = await a.client.checkIns.create(r.slug, { action: 'Once' }, { idempotencyKey: key });
  assert.equal(two.id, one.id);
  await rejects(a.client.checkIns.create(r.slug, { action: 'Other body' }, { idempotencyKey: key }), (e) => assert.equal(e.code, 'CONFLICT'));
});

test('checkInAndWait resolves when a human approves while it waits', async () => {
  const r = await room();
  const a = await agent();
  const waiting = a.client.checkIns.checkInAndWait(r.slug, { action: 'Send invoice to client', risk_level: 'medium' });
  const [ci] = await pollPending(r.slug, 1);
  await delay(300);
  await human.checkIns.approve(ci.id);
  const decision = await waiting;
  assert.equal(decision.id, ci.id);
  assert.equal(decision.status, 'approved');
  assert.equal(decision.decision.decided_by.startsWith('usr_'), true);
  assert.equal(decision.decision.via, 'api');
});

test('checkInAndWait resolves with the modifications made while it waits', async () => {
  const r = await room();
  const a = await agent();
  const started = Date.now();
  const waiting = a.client.checkIns.checkInAndWait(r.slug, { action: 'Deploy to production', risk_level: 'high' }, { maxWaitMs: 60000 });
  const [ci] = await pollPending(r.slug, 1);
  await delay(1500);
  await human.checkIns.modify(ci.id, { reason: 'use staging first', modifications: { env: 'staging' } });
  const decision = await waiting;
  assert.equal(decision.status, 'modified');
  assert.deepEqual(decision.modifications, { env: 'staging' });
  assert.equal(decision.decision_reason, 'use staging first');
  // Answered by the long-poll, not a 30 s poll interval.
  assert.ok(Date.now() - started < 20000);
});

test('checkInAndWait honours maxWaitMs and rejects with the pending check-in', async () => {
  const r = await room();
  const a = await agent();
  const started = Date.now();
  const e = await rejects(a.client.checkIns.checkInAndWait(r.slug, { action: 'Nobody answers' }, { maxWaitMs: 1200 }), (err) => {
    assert.ok(err instanceof WaitroomTimeoutError);
    assert.ok(err instanceof WaitroomError);
    assert.equal(err.code, 'TIMEOUT');
  });
  const took = Date.now() - started;
  assert.ok(took >= 1150, `gave up after ${took} ms`);
  assert.ok(took < 6000, `gave up only after ${took} ms`);
  assert.equal(e.checkIn.status, 'pending');
  assert.equal((await a.client.checkIns.status(e.checkIn.id)).status, 'pending');
});

test('checkInAndWait resolves a check-in the policy forbids as rejected by system:policy', async () => {
  const r = await room({ rules: [{ id: 'no-drops', effect: 'forbid', conditions: { action_contains: ['drop table'] } }] });
  const a = await agent();
  const decision = await a.client.checkIns.checkInAndWait(r.slug, { action: 'DROP TABLE users' });
  assert.equal(decision.status, 'rejected');
  assert.equal(decision.decision.decided_by, 'system:policy');
  assert.equal(typeof decision.decision_reason, 'string');
});

test('checkInAndWait falls back to polling with backoff (1 s, x1.5) against a server without long-poll', async () => {
  const polls = [];
  const fake = http.createServer((req, res) => {
    const body = (status) => JSON.stringify({ data: { id: 'ci_x', status, decision: null, decision_reason: status === 'approved' ? 'ok' : null, modifications: null } });
    res.setHeader('Content-Type', 'application/json');
    if (req.method === 'POST') {
      res.statusCode = 201;
      return res.end(body('pending'));
    }
    polls.push(Date.now());
    res.end(body(polls.length >= 4 ? 'approved' : 'pending'));
  });
  fake.listen(0, '127.0.0.1');
  await once(fake, 'listening');
  try {
    const c = new WaitroomClient({ apiKey: 'wr_fake', baseUrl: `http://127.0.0.1:${fake.address().port}` });
    const decision = await c.checkIns.checkInAndWait('r', { action: 'x' }, { maxWaitMs: 20000 });
    assert.equal(decision.status, 'approved');
    assert.equal(polls.length, 4);
    const gaps = polls.slice(1).map((t, i) => t - polls[i]);
    // The first poll is the long-poll the server answered at once; then sleeps of 1 s, 1.5 s, 2.25 s.
    assert.ok(gaps[0] >= 950 && gaps[0] < 1400, `gaps ${gaps}`);
    assert.ok(gaps[1] >= 1450 && gaps[1] < 2000, `gaps ${gaps}`);
    assert.ok(gaps[2] >= 2200 && gaps[2] < 2800, `gaps ${gaps}`);
  } finally {
    fake.close();
  }
});

test('503 is retried with its key for over 10 s by default, then surfaces; approve is not retried', async () => {
  const seen = [];
  const started = Date.now();
  const fake = http.createServer((req, res) => {
    req.resume();
    seen.push({ path: req.url, key: req.headers['idempotency-key'], at: Date.now() - started });
    res.setHeader('Content-Type', 'application/json');
    // Unavailable for the first 11 s (a database restart), then the create goes through.
    if (req.method === 'GET' || req.url.endsWith('/approve') || Date.now() - started < 11_000) {
      res.statusCode = 503;
      res.setHeader('Retry-After', '1');
      return res.end(JSON.stringify({ error: { code: 'SERVICE_UNAVAILABLE', message: 'the database is unavailable', statusCode: 503, retryAfter: 1 } }));
    }
    res.statusCode = 201;
    res.end(JSON.stringify({ data: { id: 'ci_x', status: 'pending' } }));
  });
  fake.listen(0, '127.0.0.1');
  await once(fake, 'listening');
  try {
    const c = new WaitroomClient({ apiKey: 'wr_fake', baseUrl: `http://127.0.0.1:${fake.address().port}` });
    const ci = await c.checkIns.create('r', { action: 'x' });
    assert.equal(ci.id, 'ci_x');
    assert.ok(seen.length >= 6, `attempts ${seen.length}`);
    assert.equal(new Set(seen.map((s) => s.key)).size, 1, 'one Idempotency-Key for every attempt');
    assert.ok(seen.slice(1).every((s, i) => s.at - seen[i].at >= 950), 'each wait at least Retry-After');
    seen.length = 0;
    await assert.rejects(c.checkIns.approve('ci_x'), (e) => e instanceof WaitroomError && e.code === 'SERVICE_UNAVAILABLE' && e.retryAfter === 1);
    assert.equal(seen.length, 1);
    // A budget of 0 surfaces the first 503.
    const quick = new WaitroomClient({ apiKey: 'wr_fake', baseUrl: `http://127.0.0.1:${fake.address().port}`, unavailableRetryMs: 0 });
    seen.length = 0;
    await assert.rejects(quick.checkIns.get('ci_x'), (e) => e.statusCode === 503);
    assert.equal(seen.length, 1);
  } finally {
    fake.close();
  }
});

async function pollPending(slug, count) {
  for (let i = 0; i < 200; i++) {
    const page = await human.checkIns.listPending(slug);
    if (page.data.length >= count) return page.data;
    await delay(25);
  }
  assert.fail('no pending check-in appeared');
}

test('typed errors: POLICY_FORBIDS, NOT_FOUND, VALIDATION_ERROR, UNAUTHORIZED, FORBIDDEN', async () => {
  const r = await room({ rules: [{ id: 'no-drops', effect: 'forbid', conditions: { action_contains: ['drop table'] } }] });
  const a = await agent();
  const forbidden = await rejects(a.client.checkIns.create(r.slug, { action: 'drop table users', risk_level: 'high' }), (e) => {
    assert.ok(e instanceof WaitroomError);
    assert.equal(e.code, 'POLICY_FORBIDS');
    assert.equal(e.statusCode, 403);
    assert.equal(e.details.rule_id, 'no-drops');
    assert.match(e.details.check_in_id, /^ci_/);
    assert.match(e.requestId, /\S/);
    assert.ok(e.message.length > 0);
  });
  assert.equal((await a.client.checkIns.status(forbidden.details.check_in_id)).status, 'rejected');

  const ci = await a.client.checkIns.create(r.slug, { action: 'fine' });
  await rejects(stranger.checkIns.get(ci.id), (e) => {
    assert.equal(e.code, 'NOT_FOUND');
    assert.equal(e.statusCode, 404);
  });
  await rejects(stranger.rooms.get(r.slug), (e) => assert.equal(e.code, 'NOT_FOUND'));
  await rejects(a.client.checkIns.create(r.slug, { action: '' }), (e) => {
    assert.equal(e.code, 'VALIDATION_ERROR');
    assert.equal(e.statusCode, 400);
    assert.equal(e.details.field, 'action');
  });
  await rejects(a.client.checkIns.create(r.slug, { action: 'x', risk_level: 'extreme' }), (e) => assert.equal(e.details.field, 'risk_level'));
  const bad = new WaitroomClient({ apiKey: 'wr_' + 'x'.repeat(40), baseUrl });
  await rejects(bad.rooms.list(), (e) => {
    assert.equal(e.code, 'UNAUTHORIZED');
    assert.equal(e.statusCode, 401);
  });
  await rejects(a.client.rooms.create({ name: 'agents cannot' }), (e) => {
    assert.equal(e.code, 'FORBIDDEN');
    assert.equal(e.statusCode, 403);
  });
});

test('RATE_LIMITED: a 429 is retried after Retry-After; without retries it surfaces with retryAfter', async () => {
  const r = await room();
  const a = await agent();
  // Drain this agent's bucket (300 per minute) with retries off.
  let limited;
  for (let i = 0; i < 40 && !limited; i++) {
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => a.client.rooms.get(r.slug, { maxRetries: 0 })));
    limited = results.find((x) => x.status === 'rejected')?.reason;
  }
  assert.ok(limited, 'never limited');
  assert.equal(limited.code, 'RATE_LIMITED');
  assert.equal(limited.statusCode, 429);
  assert.ok(limited.retryAfter >= 1);
  // The bucket is empty (it refills 5 tokens a second): most of ten calls at once get a 429
  // and must wait for Retry-After before they succeed.
  const started = Date.now();
  const took = await Promise.all(
    Array.from({ length: 10 }, () => a.client.rooms.get(r.slug, { maxRetries: 8 }).then((got) => {
      assert.equal(got.id, r.id);
      return Date.now() - started;
    })),
  );
  assert.ok(Math.max(...took) >= 900, `answered without waiting for Retry-After: ${took}`);
});

test('a POST with an Idempotency-Key is retried after a lost answer and the work is done once', async () => {
  const r = await room();
  const a = await agent();
  const p = await proxy();
  try {
    const viaProxy = new WaitroomClient({ apiKey: a.key, baseUrl: p.url });
    p.state.dropResponses = 1;
    const ci = await viaProxy.checkIns.create(r.slug, { action: 'Exactly once' });
    assert.equal(p.state.requests, 2);
    const pending = await human.checkIns.listPending(r.slug);
    assert.deepEqual(pending.data.map((c) => c.id), [ci.id]);

    // Approve takes no Idempotency-Key: a lost answer is not retried.
    const viaProxyHuman = new WaitroomClient({ apiKey: required('WAITROOM_HUMAN_TOKEN'), baseUrl: p.url });
    p.state.requests = 0;
    p.state.dropResponses = 1;
    await rejects(viaProxyHuman.checkIns.approve(ci.id), (e) => assert.equal(e.code, 'NETWORK_ERROR'));
    assert.equal(p.state.requests, 1);
    assert.equal((await human.checkIns.status(ci.id)).status, 'approved');
  } finally {
    p.close();
  }
});

test('per-call timeout and AbortSignal', async () => {
  const r = await room();
  const a = await agent();
  const ci = await a.client.checkIns.create(r.slug, { action: 'slow' });
  let started = Date.now();
  await rejects(a.client.checkIns.status(ci.id, { wait: 20, timeoutMs: 300 }), (e) => assert.equal(e.code, 'TIMEOUT'));
  assert.ok(Date.now() - started < 5000);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 200);
  started = Date.now();
  await rejects(a.client.checkIns.status(ci.id, { wait: 20, signal: controller.signal }), (e) => assert.equal(e.code, 'ABORTED'));
  assert.ok(Date.now() - started < 5000);
  const maxWait = new AbortController();
  setTimeout(() => maxWait.abort(), 200);
  await rejects(a.client.checkIns.waitForDecision(ci.id, { signal: maxWait.signal }), (e) => assert.equal(e.code, 'ABORTED'));
});

test('tasks: create, list, claim, help, join, thread, submit, decide, claimed, release', async () => {
  const r = await room();
  const primary = await agent();
  const helper = await agent();
  const task = await human.tasks.create(r.slug, { action: 'Write the report', urgency: 'high' });
  assert.equal(task.direction, 'human_to_agent');
  assert.deepEqual((await primary.client.tasks.list(r.slug, { claimed: false })).data.map((t) => t.id), [task.id]);
  const claimed = await primary.client.tasks.claim(task.id);
  assert.equal(claimed.status, 'in_progress');
  assert.equal(claimed.participants[0].role, 'primary');
  await rejects(helper.client.tasks.claim(task.id), (e) => assert.equal(e.code, 'CONFLICT'));
  assert.equal((await primary.client.tasks.help(task.id, { body: 'need a hand' })).help_requested, true);
  const joined = await helper.client.tasks.join(task.id);
  assert.equal(joined.participants.length, 2);
  await helper.client.tasks.postMessage(task.id, { body: 'on it' });
  const result = await primary.client.tasks.submit(task.id, { body: 'done: report.pdf' });
  assert.equal(result.message_type, 'result');
  assert.equal((await primary.client.tasks.status(task.id)).status, 'submitted');
  const thread = await human.tasks.messages(task.id).all();
  assert.ok(thread.some((m) => m.body === 'on it'));
  assert.equal((await human.tasks.approve(task.id)).status, 'approved');
  assert.equal((await primary.client.tasks.get(task.id)).participants.length, 2);
  assert.ok((await primary.client.tasks.claimed().all()).some((t) => t.id === task.id));

  const other = await human.tasks.create(r.slug, { action: 'Second' });
  await primary.client.tasks.claim(other.id);
  const released = await primary.client.tasks.release(other.id);
  assert.equal(released.status, 'pending');
  assert.equal(released.claimed_by, null);
});

test('signals and watchers: broadcast, create, list, remove (agent and human)', async () => {
  const r = await room();
  const a = await agent();
  const sig = await a.client.signals.broadcast(r.slug, { type: 'config_update', payload: { feature: 'dark_mode', enabled: true } });
  assert.match(sig.id, /^sig_/);
  assert.equal(sig.payload.enabled, true);
  const w = await a.client.watchers.create(r.slug, { event_types: ['signal.broadcast'] });
  assert.match(w.secret, /^whsec_/);
  const w2 = await a.client.watchers.create(r.slug);
  const listed = await human.watchers.list(r.slug).all();
  assert.deepEqual(listed.map((x) => x.id).sort(), [w.id, w2.id].sort());
  assert.ok(listed.every((x) => !('secret' in x)));
  assert.equal((await a.client.watchers.remove(w.id)).is_active, false);
  assert.equal((await human.watchers.removeFromRoom(r.slug, w2.id)).is_active, false);
  await rejects(a.client.watchers.remove(w.id), (e) => assert.equal(e.code, 'CONFLICT'));
});

test('verifyWebhook accepts a real delivery and refuses tampered ones', async () => {
  const hits = [];
  const receiver = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.end('ok');
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  try {
    const r = await room();
    const a = await agent();
    const w = await a.client.watchers.create(r.slug, {
      event_types: ['signal.broadcast'],
      webhook_url: `http://127.0.0.1:${receiver.address().port}/hook`,
    });
    await a.client.signals.broadcast(r.slug, { type: 'ping', payload: { n: 1 } });
    for (let i = 0; i < 500 && hits.length === 0; i++) await delay(20);
    assert.equal(hits.length, 1, 'no delivery');
    const { headers, body } = hits[0];
    const event = await verifyWebhook(w.secret, headers, body);
    assert.equal(event.event, 'signal.broadcast');
    assert.equal(event.watcher_id, w.id);
    assert.equal(event.data.type, 'ping');
    assert.equal((await verifyWebhook(w.secret, headers, body.toString('utf8'))).id, event.id);
    // Fetch-style headers work too.
    assert.equal((await verifyWebhook(w.secret, new Headers(headers), body)).id, event.id);

    const tampered = Buffer.from(body.toString('utf8').replace('"n":1', '"n":2'));
    assert.notDeepEqual(tampered, body);
    await rejects(verifyWebhook(w.secret, headers, tampered), (e) => assert.ok(e instanceof WebhookVerificationError));
    const otherSecret = (await a.client.watchers.create(r.slug)).secret;
    await rejects(verifyWebhook(otherSecret, headers, body), (e) => assert.ok(e instanceof WebhookVerificationError));
    await rejects(verifyWebhook(w.secret, { ...headers, 'webhook-id': 'dlv_other' }, body), (e) => assert.ok(e instanceof WebhookVerificationError));
    const late = Number(headers['webhook-timestamp']) * 1000 + 301_000;
    await rejects(verifyWebhook(w.secret, headers, body, { now: late }), (e) => assert.match(e.message, /tolerance/));
    const deliveries = await a.client.watchers.deliveries(w.id).all();
    assert.equal(deliveries[0].id, headers['webhook-id']);
  } finally {
    receiver.close();
  }
});

test('audit: org, room and agent lists, newest first', async () => {
  const r = await room();
  const a = await agent();
  const ci = await a.client.checkIns.create(r.slug, { action: 'Audited' });
  await human.checkIns.approve(ci.id);
  const roomRows = await human.audit.room(r.slug).all();
  assert.deepEqual(roomRows.slice(0, 2).map((x) => x.event_type), ['checkin.approved', 'checkin.created']);
  const created = await human.audit.list({ event_type: 'checkin.created', limit: 5 });
  assert.ok(created.data.every((x) => x.event_type === 'checkin.created'));
  assert.ok((await human.audit.agent(a.id).all()).some((x) => x.target_id === ci.id));
});

test('events.subscribe: live events, types filter, replay from 0', async () => {
  const r = await room();
  const a = await agent();
  const controller = new AbortController();
  const live = collect(human.events.subscribe(r.slug, { types: ['signal.broadcast'], signal: controller.signal }));
  await delay(300);
  await a.client.checkIns.create(r.slug, { action: 'not a signal' });
  await a.client.signals.broadcast(r.slug, { type: 'one' });
  await live.until((ev) => ev.length === 1, 'the signal');
  assert.equal(live.events[0].event, 'signal.broadcast');
  assert.equal(live.events[0].data.type, 'one');
  controller.abort();
  await live.done;

  const sub = human.events.subscribe(r.slug, { lastEventId: 0 });
  const replay = collect(sub);
  await replay.until((ev) => ev.length === 2, 'the replay');
  assert.deepEqual(replay.events.map((e) => e.event), ['checkin.created', 'signal.broadcast']);
  assert.equal(sub.lastEventId, String(replay.events[1].id));
  sub.close();
  await replay.done;
  await rejects(
    (async () => {
      for await (const _ of stranger.events.subscribe(r.slug)) break;
    })(),
    (e) => assert.equal(e.code, 'NOT_FOUND'),
  );
});

test('events.subscribe resumes from the last event id after the connection is cut', async () => {
  const r = await room();
  const a = await agent();
  const p = await proxy();
  const c = new WaitroomClient({ apiKey: required('WAITROOM_HUMAN_TOKEN'), baseUrl: p.url });
  const sub = c.events.subscribe(r.slug, { types: ['signal.broadcast'], reconnectDelayMs: 100, idleTimeoutMs: 1500 });
  try {
    const got = collect(sub);
    await delay(300);
    await a.client.signals.broadcast(r.slug, { type: 's1' });
    await got.until((ev) => ev.length === 1, 's1');
    // A healthy stream (pings every 300 ms) outlives the 1.5 s idle timeout on one connection.
    await delay(3000);
    assert.equal(p.state.connections, 1);

    p.cut();
    await a.client.signals.broadcast(r.slug, { type: 's2' });
    await a.client.signals.broadcast(r.slug, { type: 's3' });
    await got.until((ev) => ev.length === 3, 's2 and s3 after the cut');
    assert.ok(p.state.connections >= 2);

    assert.deepEqual(got.events.map((e) => e.data.type), ['s1', 's2', 's3']);
    const ids = got.events.map((e) => e.id);
    assert.deepEqual([...ids].sort((x, y) => x - y), ids);
  } finally {
    sub.close();
    p.close();
  }
});

test('events.subscribe gives up a silent connection by itself (idle watchdog) and resumes', async () => {
  const r = await room();
  const a = await agent();
  const p = await proxy();
  const c = new WaitroomClient({ apiKey: required('WAITROOM_HUMAN_TOKEN'), baseUrl: p.url });
  const sub = c.events.subscribe(r.slug, { types: ['signal.broadcast'], reconnectDelayMs: 100, idleTimeoutMs: 1000 });
  try {
    const got = collect(sub);
    await delay(300);
    await a.client.signals.broadcast(r.slug, { type: 'before' });
    await got.until((ev) => ev.length === 1, 'the first event');
    // A black hole: the connection stays open but nothing arrives, not even the 300 ms pings.
    p.state.blackhole = true;
    await a.client.signals.broadcast(r.slug, { type: 'during' });
    const before = p.state.connections;
    await delay(1500);
    p.state.blackhole = false;
    // No cut: only the watchdog can notice the silence, reconnect and replay what it missed.
    await got.until((ev) => ev.length === 2, 'the event after the watchdog reconnect');
    assert.ok(p.state.connections > before);
    assert.deepEqual(got.events.map((e) => e.data.type), ['before', 'during']);
  } finally {
    sub.close();
    p.close();
  }
});

const inDays = (d) => new Date(Date.now() + d * 86_400_000).toISOString();

test('grants: create, list with uses, approve a matching check-in as system:grant, revoke once', async () => {
  const r = await room();
  const a = await agent();
  const g = await human.grants.create(r.slug, {
    conditions: { action_contains: 'migration' },
    expires_at: inDays(7),
    max_uses: 3,
    reason: 'read-only migrations this week',
  });
  assert.match(g.id, /^gr_/);
  assert.equal(g.room_id, r.id);
  assert.equal(g.uses, 0);
  assert.equal(g.remaining_uses, 3);
  assert.equal(g.revoked_at, null);

  const ev = await human.policies.evaluate(r.slug, { action: 'run migration 7' });
  assert.equal(ev.grant_id, g.id);
  const ci = await a.client.checkIns.create(r.slug, { action: 'run migration 42' });
  assert.equal(ci.status, 'approved');
  assert.equal(ci.policy.result, 'auto_approve');
  assert.equal(ci.policy.grant_id, g.id);
  assert.equal(ci.decision.decided_by, 'system:grant');
  const other = await a.client.checkIns.create(r.slug, { action: 'drop the cache' });
  assert.equal(other.status, 'pending');
  assert.equal(other.policy.grant_id, undefined);

  const unlimited = await human.grants.create(r.slug, { conditions: { risk_level: 'low' }, expires_at: inDays(1) });
  assert.equal(unlimited.max_uses, null);
  assert.equal(unlimited.remaining_uses, null);
  const page = await human.grants.list(r.slug, { limit: 1 });
  assert.equal(page.data.length, 1);
  assert.equal(page.has_more, true);
  const all = await human.grants.list(r.slug).all();
  assert.deepEqual(all.map((x) => x.id).sort(), [g.id, unlimited.id].sort());
  const listed = all.find((x) => x.id === g.id);
  assert.equal(listed.uses, 1);
  assert.equal(listed.remaining_uses, 2);

  const revoked = await human.grants.revoke(r.slug, g.id);
  assert.equal(revoked.id, g.id);
  assert.ok(revoked.revoked_at);
  await rejects(human.grants.revoke(r.slug, g.id), (e) => {
    assert.ok(e instanceof WaitroomError);
    assert.equal(e.code, 'CONFLICT');
    assert.equal(e.statusCode, 409);
    assert.match(e.message, /already revoked/);
  });
  assert.equal((await a.client.checkIns.create(r.slug, { action: 'run migration 43' })).status, 'pending');
});

test('grants: the API refuses what it must, as WaitroomError with its message and status', async () => {
  const r = await room();
  const a = await agent();
  await rejects(human.grants.create(r.slug, { conditions: {}, expires_at: inDays(31) }), (e) => {
    assert.ok(e instanceof WaitroomError);
    assert.equal(e.code, 'VALIDATION_ERROR');
    assert.equal(e.statusCode, 400);
    assert.match(e.message, /expires_at/);
    assert.equal(e.details.field, 'expires_at');
  });
  await rejects(human.grants.create(r.slug, { conditions: {}, expires_at: inDays(1), max_uses: 0 }), (e) => {
    assert.equal(e.statusCode, 400);
    assert.equal(e.details.field, 'max_uses');
  });
  await rejects(human.grants.revoke(r.slug, 'gr_' + '0'.repeat(26)), (e) => {
    assert.equal(e.code, 'NOT_FOUND');
    assert.equal(e.statusCode, 404);
  });
  await rejects(a.client.grants.list(r.slug), (e) => assert.equal(e.statusCode, 403));
  await rejects(stranger.grants.list(r.slug), (e) => assert.equal(e.code, 'NOT_FOUND'));
});

test('quorum: votes, approvals_needed and checkin.vote events until the second approval decides', async () => {
  const r = await room({
    default_action: 'require_approval',
    timeout_minutes: 60,
    timeout_action: 'cancel',
    rules: [],
    quorum: { required: 2, reject: 'any' },
  });
  assert.equal(r.policies.quorum.required, 2);
  const a = await agent();
  const sub = human.events.subscribe(r.slug, { types: ['checkin.vote'], lastEventId: 0 });
  const votes = collect(sub);
  try {
    const ci = await a.client.checkIns.create(r.slug, { action: 'refund 500 EUR' });
    assert.equal(ci.status, 'pending');
    assert.deepEqual(ci.quorum, { required: 2, approvers: null, reject: 'any' });
    assert.deepEqual(ci.votes, []);
    assert.equal(ci.approvals_needed, 2);
    assert.equal(ci.escalation_level, 0);

    const first = await human.checkIns.approve(ci.id, { reason: 'ok' });
    assert.equal(first.status, 'pending');
    assert.equal(first.approvals_needed, 1);
    const status = await a.client.checkIns.status(ci.id);
    assert.equal(status.approvals_needed, 1);
    assert.equal(status.votes.length, 1);
    assert.equal(status.votes[0].verdict, 'approved');
    assert.equal(status.votes[0].reason, 'ok');
    assert.match(status.votes[0].voter, /^usr_/);
    await rejects(human.checkIns.approve(ci.id), (e) => {
      assert.equal(e.code, 'CONFLICT');
      assert.equal(e.statusCode, 409);
      assert.match(e.message, /already voted/);
    });

    const second = await colleague.checkIns.approve(ci.id);
    assert.equal(second.status, 'approved');
    assert.equal(second.approvals_needed, 0);
    assert.equal(second.decision.votes.length, 2);
    assert.equal(second.decision.decided_by, second.votes[1].voter);
    assert.equal(second.decision.via, 'api');
    assert.notEqual(second.votes[0].voter, second.votes[1].voter);
    await votes.until((ev) => ev.length >= 1, 'a checkin.vote event');
    assert.ok(votes.events.every((e) => e.event === 'checkin.vote'));
  } finally {
    sub.close();
    await votes.done;
  }
});

test('escalation: escalation_level and urgency rise, with checkin.escalated events', async () => {
  // One policy minute lasts a second on the test server.
  const r = await room({
    default_action: 'require_approval',
    timeout_minutes: 30,
    timeout_action: 'cancel',
    rules: [],
    escalation: [{ after_minutes: 1, urgency: 'urgent', notify: 'all' }],
  });
  const a = await agent();
  const sub = human.events.subscribe(r.slug, { types: ['checkin.escalated'], lastEventId: 0 });
  const got = collect(sub);
  try {
    const ci = await a.client.checkIns.create(r.slug, { action: 'deploy to prod' });
    assert.equal(ci.escalation_level, 0);
    assert.equal(ci.quorum, null);
    assert.equal(ci.approvals_needed, null);
    await got.until((ev) => ev.length === 1, 'the checkin.escalated event');
    assert.equal(got.events[0].event, 'checkin.escalated');
    const after = await a.client.checkIns.get(ci.id);
    assert.equal(after.escalation_level, 1);
    assert.equal(after.urgency, 'urgent');
    assert.equal(after.status, 'pending');
  } finally {
    sub.close();
    await got.done;
  }
});
