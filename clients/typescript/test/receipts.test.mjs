// Receipts against a real server (started by TypeScriptSdkTest), verified by the SDK and by a plain
// JOSE library (`jose`) with nothing but the published JWKS: no code shared with the server's signer.
// Environment as sdk.test.mjs: WAITROOM_BASE_URL, WAITROOM_HUMAN_TOKEN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import { WaitroomClient, ReceiptVerificationError, canonicalize, payloadHash, verifyReceipt } from '@waitroom-io/sdk';

const baseUrl = process.env.WAITROOM_BASE_URL;
const human = new WaitroomClient({ apiKey: process.env.WAITROOM_HUMAN_TOKEN, baseUrl });
let n = 0;
const unique = (s) => `${s}-${Date.now().toString(36)}-${++n}`;
const delay = (ms) => new Promise((r) => setTimeout(r, ms));

async function setup() {
  const r = await human.rooms.create({ name: unique('Receipts') });
  const a = await human.agents.register({ name: unique('agent') });
  return { room: r, agentId: a.id, key: a.api_key, agent: new WaitroomClient({ apiKey: a.api_key, baseUrl }) };
}

async function pending(room, action) {
  for (let i = 0; i < 100; i++) {
    const page = await human.checkIns.listPending(room.slug);
    const found = page.data.find((c) => c.action === action);
    if (found) return found;
    await delay(50);
  }
  throw new Error(`no pending check-in "${action}"`);
}

async function expectReceiptError(promise, reason, field) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof ReceiptVerificationError, `expected ReceiptVerificationError, got ${e}`);
    assert.equal(e.reason, reason);
    if (field !== undefined) assert.equal(e.field, field);
    return e;
  }
  assert.fail('expected a ReceiptVerificationError');
}

test('RFC 8785: the SDK canonicalizes the RFC example and its number table', () => {
  const input = JSON.parse('{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}');
  assert.equal(canonicalize(input), '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  assert.equal(canonicalize([1e21, 1e23, 9.999999999999997e22, -0, 5e-324, 0.000001, 9.999999999999997e-7]), '[1e+21,1e+23,9.999999999999997e+22,0,5e-324,0.000001,9.999999999999997e-7]');
  assert.equal(canonicalize({ '\u20ac': 1, '\r': 2, '\ufb33': 3, '1': 4, '\ud83d\ude00': 5, '\u0080': 6, '\u00f6': 7 }), '{"\\r":2,"1":4,"\u0080":6,"\u00f6":7,"\u20ac":1,"\ud83d\ude00":5,"\ufb33":3}');
  assert.throws(() => canonicalize([Infinity]));
});

test('a receipt verifies with a plain JOSE library and the published JWKS alone', async () => {
  const { room, agentId, agent } = await setup();
  const context = { env: 'prod', big: 1e21, 'été': 'café 😀', nested: { b: [1.5, 'x'], a: 1 } };
  const ci = await agent.checkIns.create(room.slug, { action: 'deploy api', context });
  assert.equal(await payloadHash(ci), ci.payload_hash, 'the server and the SDK hash the request alike');
  const decided = await human.checkIns.approve(ci.id, { reason: 'ok' });
  const jwks = createRemoteJWKSet(new URL(`${baseUrl}/.well-known/jwks.json`));
  const { payload, protectedHeader } = await jwtVerify(decided.receipt, jwks, { algorithms: ['EdDSA'] });
  assert.equal(protectedHeader.alg, 'EdDSA');
  assert.ok(protectedHeader.kid);
  assert.equal(payload.check_in_id, ci.id);
  assert.equal(payload.agent_id, agentId);
  assert.equal(payload.payload_hash, ci.payload_hash);
  assert.equal(payload.decision, 'approved');
  assert.equal(payload.via, 'api');
  assert.ok(payload.decided_by.startsWith('usr_'));
});

test('checkInAndWait({ verifyReceipt: true }) resolves once the receipt checks out; receipts.verify and the offline function agree', async () => {
  const { room, agent } = await setup();
  const waiting = agent.checkIns.checkInAndWait(room.slug, { action: 'rotate keys', context: { n: 1 } }, { verifyReceipt: true, maxWaitMs: 30000 });
  const ci = await pending(room, 'rotate keys');
  await human.checkIns.modify(ci.id, { reason: 'smaller', modifications: { n: 0.5, note: 'naïve' } });
  const decided = await waiting;
  assert.equal(decided.status, 'modified');
  const claims = await agent.receipts.verify(decided);
  assert.equal(claims.decision, 'modified');
  assert.ok(claims.modifications_hash.startsWith('sha256:'));
  const jwks = await (await fetch(`${baseUrl}/.well-known/jwks.json`)).json();
  assert.deepEqual(await verifyReceipt(decided, jwks, { issuer: claims.iss }), claims);
  const served = await agent.receipts.get(decided.id);
  assert.equal(served.receipt, decided.receipt);

  // Anything altered fails, with the claim that differs named.
  await expectReceiptError(verifyReceipt({ ...decided, action: 'rotate all keys' }, jwks), 'mismatch', 'payload_hash');
  await expectReceiptError(verifyReceipt({ ...decided, context: { n: 2 } }, jwks), 'mismatch', 'payload_hash');
  await expectReceiptError(
    verifyReceipt({ ...decided, decision: { ...decided.decision, modifications: { n: 5 } } }, jwks),
    'mismatch',
    'modifications_hash',
  );
  await expectReceiptError(verifyReceipt({ ...decided, decision: { ...decided.decision, type: 'approved' } }, jwks), 'mismatch', 'decision');
  await expectReceiptError(verifyReceipt(decided, jwks, { issuer: 'https://evil.example' }), 'mismatch', 'iss');
  const [h, p, s] = decided.receipt.split('.');
  const forged = Buffer.from(JSON.stringify({ ...claims, decision: 'approved' })).toString('base64url');
  await expectReceiptError(verifyReceipt({ ...decided, receipt: `${h}.${forged}.${s}` }, jwks), 'bad_signature');
  await expectReceiptError(verifyReceipt(decided, { keys: [] }), 'unknown_key');
  assert.ok(decodeProtectedHeader(decided.receipt).kid);
  void p;
});

test('checkInAndWait({ verifyReceipt: true }) throws ReceiptVerificationError when what comes back does not match the receipt', async () => {
  const { room, key } = await setup();
  // A man in the middle that changes the request's context in the answers the agent receives.
  const tampering = async (url, init) => {
    const res = await fetch(url, init);
    if (!String(url).includes('/status')) return res;
    const body = await res.json();
    if (body.data) body.data.context = { env: 'staging' };
    return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
  };
  const agent = new WaitroomClient({ apiKey: key, baseUrl, fetch: tampering });
  const waiting = agent.checkIns.checkInAndWait(room.slug, { action: 'wipe disk', context: { env: 'prod' } }, { verifyReceipt: true, maxWaitMs: 30000 });
  const ci = await pending(room, 'wipe disk');
  await human.checkIns.approve(ci.id);
  const e = await expectReceiptError(waiting, 'mismatch', 'payload_hash');
  assert.equal(e.checkIn.id, ci.id);
  assert.equal(e.checkIn.status, 'approved');
});
