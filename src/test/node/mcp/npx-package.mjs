// Drives the packed @waitroom-io/mcp-server the way Claude Desktop runs it: `npx
// @waitroom-io/mcp-server` spawned from DIR (a folder where the tarball is installed) with only
// WAITROOM_API_KEY and API_BASE_URL set (plus the few variables the MCP SDK passes to every
// server: PATH, HOME, ...), through the official TypeScript MCP client over stdio. Run by
// McpServerPackageTest, which passes DIR, BASE, KEY (a claimed agent), HUMAN (a JWT of the same
// org) and ROOM (its slug). Midway it prints RESTART and waits for a line on stdin: the test
// restarts the server on the same database meanwhile, and the session must ride through. Prints a
// JSON report as its last line; any failed assertion exits non-zero.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import assert from 'node:assert/strict';
import { createInterface } from 'node:readline';

const { DIR, BASE, KEY, HUMAN, ROOM } = process.env;
const TOOLS = ['waitroom_check_in', 'waitroom_check_status', 'waitroom_list_rooms',
  'waitroom_signal', 'waitroom_watch', 'waitroom_withdraw'];
const fromTest = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

const transport = new StdioClientTransport({
  command: 'npx',
  args: ['@waitroom-io/mcp-server'],
  cwd: DIR,
  // The SDK's base URL form (with /v1) must work as well as the bare host.
  env: { WAITROOM_API_KEY: KEY, API_BASE_URL: `${BASE}/v1` },
  stderr: 'pipe',
});
let stderr = '';
transport.stderr.on('data', (d) => { stderr += d; });

const mcp = new Client({ name: 'claude-desktop-like', version: '1.0.0' });
await mcp.connect(transport);
const report = { server: mcp.getServerVersion()?.name };

const { tools } = await mcp.listTools();
report.tools = tools.map((t) => t.name).sort();
assert.deepEqual(report.tools, TOOLS);

const call = (name, args, options) => mcp.callTool({ name, arguments: args }, undefined, options);
const ok = (r) => { assert.equal(r.isError, false, JSON.stringify(r)); return r.structuredContent; };

let rooms = ok(await call('waitroom_list_rooms', {}));
assert.ok(rooms.rooms.some((x) => x.slug === ROOM), JSON.stringify(rooms));

let ci = ok(await call('waitroom_check_in', { room: ROOM, action: 'deploy from npx', risk_level: 'high' }));
assert.equal(ci.status, 'pending');
assert.equal(ok(await call('waitroom_check_status', { check_in_id: ci.id })).status, 'pending');
assert.equal(ok(await call('waitroom_withdraw', { check_in_id: ci.id })).status, 'withdrawn');

const watcher = ok(await call('waitroom_watch', { room: ROOM, event_types: ['checkin.approved'] }));
assert.ok(watcher.id.startsWith('w_'));
const signal = ok(await call('waitroom_signal', { room: ROOM, type: 'deploy_done', payload: { v: 1 } }));
assert.ok(signal.id.startsWith('sig_'));
report.called = ['waitroom_list_rooms', 'waitroom_check_in', 'waitroom_check_status',
  'waitroom_withdraw', 'waitroom_watch', 'waitroom_signal'];

// A wait answered by a human approval while the tool call is open.
async function approvedDuringWait(action) {
  let decided;
  const r = await call(
    'waitroom_check_in',
    { room: ROOM, action, wait_for_decision: true, wait_seconds: 120 },
    {
      timeout: 150_000,
      resetTimeoutOnProgress: true,
      onprogress: (p) => {
        if (decided) return;
        const id = /ci_[0-9a-z]+/.exec(p.message)[0];
        decided = fetch(`${BASE}/v1/check-ins/${id}/approve`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${HUMAN}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ reason: 'go ahead' }),
        }).then((res) => res.status);
      },
    });
  assert.equal(await decided, 200);
  const out = ok(r);
  assert.equal(out.status, 'approved');
  assert.equal(out.decision_reason, 'go ahead');
  return out;
}
const before = await approvedDuringWait('migrate the database (npx)');
report.approved = before.status;

// The server restarts on the same database; the bridge's session is gone with it.
console.log('RESTART');
const answer = await fromTest.next();
assert.equal(answer.value, 'restarted');

rooms = ok(await call('waitroom_list_rooms', {}));
assert.ok(rooms.rooms.some((x) => x.slug === ROOM));
assert.equal(ok(await call('waitroom_check_status', { check_in_id: before.id })).status, 'approved');
report.afterRestart = (await approvedDuringWait('migrate again after the restart')).status;
assert.match(stderr, /session renewed/);
report.renewed = true;

await mcp.close();
console.log(JSON.stringify(report));
process.exit(0);
