// A watcher with a webhook receiver: an agent watches a room, Waitroom POSTs each matching event
// to the receiver, and the receiver accepts it only if its Standard Webhooks signature verifies
// (the SDK's verifyWebhook). A human broadcasts one signal; the receiver verifies it and exits.
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WaitroomClient, verifyWebhook, WebhookVerificationError } from '@waitroom-io/sdk';

const baseUrl = process.env.WAITROOM_URL ?? 'http://localhost:8080';
// Where the receiver listens, as the server reaches it (a server on this machine: loopback,
// which it allows only with WAITROOM_WEBHOOK_ALLOW_PRIVATE=true).
const receiverHost = process.env.RECEIVER_HOST ?? '127.0.0.1';

/** $WAITROOM_HUMAN_TOKEN, or a token minted with the jar (run from the server's directory). */
function humanToken(): string {
  const given = process.env.WAITROOM_HUMAN_TOKEN;
  if (given) return given;
  return execFileSync('java', ['-jar', 'target/waitroom.jar', 'token', '--org', 'acme', '--sub', 'alice', '--name', 'Alice'], {
    cwd: new URL('../../../', import.meta.url), // the repository root (this file runs from dist/)
    encoding: 'utf8',
  }).trim();
}

function rawBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const human = new WaitroomClient({ apiKey: humanToken(), baseUrl });
const room = await human.rooms.create({ name: `Releases ${Date.now()}` });
const registered = await human.agents.register({ name: 'release-watcher' });
const agent = new WaitroomClient({ apiKey: registered.api_key, baseUrl });
console.log(`room: ${room.slug}`);

// The receiver. The secret is known once the watcher exists; deliveries only start after that.
let secret = '';
let received: () => void;
const done = new Promise<void>((resolve) => (received = resolve));
const receiver = createServer(async (req: IncomingMessage, res: ServerResponse) => {
  const body = await rawBody(req); // the raw bytes: never parse and re-serialize before verifying
  try {
    const event = await verifyWebhook(secret, req.headers, body);
    console.log(`receiver: verified ${event.event} (webhook-id ${String(req.headers['webhook-id'])}): ${JSON.stringify(event.data)}`);
    res.writeHead(200).end();
    received();
  } catch (err) {
    if (!(err instanceof WebhookVerificationError)) throw err;
    console.log(`receiver: refused a delivery: ${err.message}`);
    res.writeHead(401).end();
  }
});
await new Promise<void>((resolve) => receiver.listen(0, receiverHost, resolve));
const hookUrl = `http://${receiverHost}:${(receiver.address() as AddressInfo).port}/waitroom`;

const watcher = await agent.watchers.create(room.slug, { event_types: ['signal.broadcast'], webhook_url: hookUrl });
secret = watcher.secret;
console.log(`watcher: ${watcher.id} -> ${hookUrl}`);

// A forged delivery (right shape, wrong key) is refused by the receiver.
const forged = await fetch(hookUrl, {
  method: 'POST',
  headers: { 'webhook-id': 'dlv_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
  body: '{"event":"signal.broadcast"}',
});
if (forged.status !== 401) throw new Error(`a forged delivery got ${forged.status}`);

// A human's signal: the watcher fires, Waitroom signs and delivers it.
await human.signals.broadcast(room.slug, { type: 'release_complete', payload: { version: '2.3.1' } });
const timeout = setTimeout(() => {
  console.error('no verified delivery within 60 s');
  process.exit(1);
}, 60_000);
await done;
clearTimeout(timeout);
await agent.watchers.remove(watcher.id);
receiver.close();
