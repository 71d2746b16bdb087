// Drives the Waitroom MCP server with the official TypeScript MCP client over one transport
// (argv[2]: http | sse | stdio) and checks every tool. Run by McpClientTest, which passes BASE,
// KEY (a claimed agent), HUMAN (a JWT of the same org), ROOM (its slug; a forbid rule matches
// "drop table"), and for stdio JAVA and CP (the test JVM's class path). Prints a JSON report
// as its last line; any failed assertion exits non-zero.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import assert from 'node:assert/strict';

const kind = process.argv[2];
const { BASE, KEY, HUMAN, ROOM, JAVA, CP } = process.env;
const TOOLS = ['waitroom_check_in', 'waitroom_check_status', 'waitroom_list_rooms',
  'waitroom_signal', 'waitroom_watch', 'waitroom_withdraw'];

function transport(key) {
  const requestInit = { headers: key ? { Authorization: `Bearer ${key}` } : {} };
  if (kind === 'http') return new StreamableHTTPClientTransport(new URL('/mcp', BASE), { requestInit });
  if (kind === 'sse') return new SSEClientTransport(new URL('/sse', BASE), { requestInit });
  return new StdioClientTransport({
    command: JAVA,
    args: ['-XX:TieredStopAtLevel=1', '-cp', CP, 'io.waitroom.Main', 'mcp'],
    env: { PATH: process.env.PATH, API_BASE_URL: BASE, ...(key ? { WAITROOM_API_KEY: key } : {}) },
    stderr: 'pipe',
  });
}

const client = () => new Client({ name: 'waitroom-test', version: '1.0.0' });
const report = { transport: kind };

// A missing key (stdio: a wrong one, which the bridge must pass on) is refused before any session.
{
  const c = client();
  await assert.rejects(c.connect(transport(kind === 'stdio' ? 'wr_' + 'x'.repeat(40) : null)),
    (e) => { report.noKey = String(e.message); return /401|UNAUTHORIZED/.test(e.message); });
}

const mcp = client();
await mcp.connect(transport(KEY));
report.server = mcp.getServerVersion()?.name;

const { tools } = await mcp.listTools();
assert.deepEqual(tools.map((t) => t.name).sort(), TOOLS);
for (const t of tools) {
  assert.equal(t.inputSchema.type, 'object', t.name);
  assert.equal(t.outputSchema?.type, 'object', t.name);
  assert.equal(typeof t.annotations?.readOnlyHint, 'boolean', t.name);
  assert.ok(t.description.length > 40, t.name);
}
report.tools = tools.map((t) => t.name).sort();

const call = (name, args, options) => mcp.callTool({ name, arguments: args }, undefined, options);
// A tool error: the API's error object, carried as JSON in the second text block.
const apiError = (r) => {
  assert.equal(r.isError, true, JSON.stringify(r));
  assert.equal(r.structuredContent, undefined);
  const e = JSON.parse(r.content[1].text).error;
  assert.ok(r.content[0].text.startsWith(`${e.code} (${e.statusCode}): ${e.message}`), r.content[0].text);
  return e;
};

let r = await call('waitroom_list_rooms', {});
assert.equal(r.isError, false);
assert.ok(r.structuredContent.rooms.some((x) => x.slug === ROOM), JSON.stringify(r));

// Without waiting: pending, then its status, then withdrawn.
r = await call('waitroom_check_in', { room: ROOM, action: `deploy over ${kind}`, risk_level: 'high' });
assert.equal(r.isError, false, JSON.stringify(r));
assert.equal(r.structuredContent.status, 'pending');
assert.match(r.content[0].text, /waitroom_check_status/);
const id = r.structuredContent.id;
r = await call('waitroom_check_status', { check_in_id: id });
assert.equal(r.structuredContent.status, 'pending');
r = await call('waitroom_withdraw', { check_in_id: id });
assert.equal(r.structuredContent.status, 'withdrawn', JSON.stringify(r));
assert.equal(apiError(await call('waitroom_withdraw', { check_in_id: id })).code, 'CONFLICT');

// Waiting: a human decides while the tool call is still open (on its first progress notification).
async function decidedDuringWait(decision, body) {
  let progress = 0;
  let decided;
  const result = await call(
    'waitroom_check_in',
    { room: ROOM, action: `migrate the database (${decision}, ${kind})`, wait_for_decision: true, wait_seconds: 120 },
    {
      timeout: 150_000,
      resetTimeoutOnProgress: true,
      onprogress: (p) => {
        progress++;
        if (decided) return;
        const ci = /ci_[0-9a-z]+/.exec(p.message)[0];
        decided = fetch(`${BASE}/v1/check-ins/${ci}/${decision}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${HUMAN}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        }).then((res) => res.status);
      },
    });
  assert.equal(await decided, 200);
  assert.ok(progress >= 1);
  assert.equal(result.isError, false, JSON.stringify(result));
  return result;
}
r = await decidedDuringWait('approve', { reason: 'go ahead' });
assert.equal(r.structuredContent.status, 'approved');
assert.equal(r.structuredContent.decision_reason, 'go ahead');
assert.match(r.content[0].text, /APPROVED/);
report.approved = r.structuredContent.status;

r = await decidedDuringWait('modify', { reason: 'staging first', modifications: { env: 'staging' } });
assert.equal(r.structuredContent.status, 'modified');
assert.deepEqual(r.structuredContent.modifications, { env: 'staging' });
assert.match(r.content[0].text, /MODIFICATIONS[\s\S]*staging/);
report.modified = r.structuredContent.modifications;

// Policy forbids, unknown room, bad arguments: tool errors with the API's code and message.
let e = apiError(await call('waitroom_check_in', { room: ROOM, action: 'drop table users', risk_level: 'high' }));
assert.equal(e.code, 'POLICY_FORBIDS');
assert.equal(e.statusCode, 403);
assert.ok(e.details.check_in_id.startsWith('ci_'));
report.forbid = e.code;

e = apiError(await call('waitroom_check_in', { room: 'no-such-room', action: 'x' }));
assert.equal(e.code, 'NOT_FOUND');
report.badRoom = e.code;

e = apiError(await call('waitroom_check_in', { room: ROOM, action: 'x', risk_level: 'extreme' }));
assert.equal(e.code, 'VALIDATION_ERROR');
assert.match(e.message, /^risk_level: /);

// Watch and signal.
r = await call('waitroom_watch', { room: ROOM, event_types: ['checkin.approved', 'signal.broadcast'] });
assert.equal(r.isError, false, JSON.stringify(r));
assert.ok(r.structuredContent.id.startsWith('w_'));
assert.ok(r.structuredContent.secret);
r = await call('waitroom_signal', { room: ROOM, type: 'deploy_done', payload: { version: 2 } });
assert.equal(r.isError, false, JSON.stringify(r));
assert.ok(r.structuredContent.id.startsWith('sig_'));
assert.deepEqual(r.structuredContent.payload, { version: 2 });

// An unknown tool is a protocol error.
await assert.rejects(call('waitroom_nope', {}), (e) => e.code === -32602);

await mcp.close();
console.log(JSON.stringify(report));
