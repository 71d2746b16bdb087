// @waitroom-io/mcp-server: an MCP server on stdio (newline-delimited JSON-RPC) that forwards every
// message to a Waitroom server's Streamable HTTP endpoint (<API_BASE_URL>/mcp) with the agent key,
// and writes back every message the server answers (plain JSON, or an SSE stream: progress
// notifications, then the result), one per line. So this package serves exactly the server's six
// tools and needs no dependency: Node's own fetch speaks to the server. Only JSON-RPC goes to
// stdout; everything else goes to stderr. When the server has forgotten the session (a restart,
// another node behind a load balancer) the bridge replays the client's initialize once and
// retries, so the client never notices. The same behaviour as the server jar's `mcp` command.
import { createInterface } from 'node:readline';

export const DEFAULT_BASE_URL = 'http://localhost:8080';
const REINIT_PREFIX = 'waitroom-reinit-';

/** `https://host` or `https://host/v1` (the SDKs' base URL) to `https://host/mcp`. */
export function mcpUrl(base) {
  let b = String(base ?? '').trim() || DEFAULT_BASE_URL;
  while (b.endsWith('/')) b = b.slice(0, -1);
  if (b.endsWith('/mcp')) return b;
  if (b.endsWith('/v1')) b = b.slice(0, -3);
  return `${b}/mcp`;
}

const isInitialize = (m) => m !== null && typeof m === 'object' && !Array.isArray(m) && m.method === 'initialize';
const isRequest = (m) => m !== null && typeof m === 'object' && !Array.isArray(m) && m.id != null && typeof m.method === 'string';
const why = (e) => String(e?.cause?.code ?? e?.cause?.message ?? e?.message ?? e);
const rpcError = (id, code, message) => ({ jsonrpc: '2.0', id, error: { code, message } });

/** One stdio client's link to the server: its session, protocol revision and requests in flight. */
export class Bridge {
  constructor({ endpoint, apiKey, write, log }) {
    this.endpoint = endpoint;
    this.apiKey = apiKey;
    this.write = write;
    this.log = log;
    this.session = undefined;
    this.version = undefined;
    this.initialize = undefined;
    this.reinits = 0;
    this.renewing = null;
    this.inFlight = new Set();
  }

  /** One line from stdin: a message (or a batch) to forward. */
  handleLine(line) {
    if (!line.trim()) return;
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      this.emit(rpcError(null, -32700, 'Parse error: not JSON'));
      return;
    }
    if (isInitialize(message)) this.initialize = structuredClone(message);
    const sent = this.forward(message, false);
    this.inFlight.add(sent);
    sent.finally(() => this.inFlight.delete(sent));
  }

  headers(message) {
    const h = {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      Authorization: `Bearer ${this.apiKey}`,
    };
    if (!isInitialize(message)) {
      if (this.session) h['Mcp-Session-Id'] = this.session;
      if (this.version) h['MCP-Protocol-Version'] = this.version;
    }
    return h;
  }

  post(message, signal) {
    return fetch(this.endpoint, {
      method: 'POST',
      headers: this.headers(message),
      body: JSON.stringify(message),
      signal,
    });
  }

  async forward(message, retry) {
    const sentWith = this.session;
    let res;
    try {
      res = await this.post(message);
    } catch (e) {
      this.fail(message, -32000, `cannot reach Waitroom at ${this.endpoint}: ${why(e)}`);
      return;
    }
    try {
      const session = res.headers.get('mcp-session-id');
      if (session) this.session = session;
      if (res.status === 404 && !retry && sentWith && this.initialize) {
        await res.body?.cancel();
        if (await this.renew(sentWith)) return this.forward(message, true);
        this.fail(message, -32001, 'the Waitroom session ended and could not be renewed');
        return;
      }
      if (res.status === 202) {
        await res.body?.cancel();
        return;
      }
      if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        await this.stream(res.body);
        return;
      }
      const text = await res.text();
      let json = null;
      try {
        json = text.trim() ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      if (Array.isArray(json)) {
        for (const m of json) this.emit(m);
      } else if (json && json.jsonrpc) {
        if (json.id == null && isRequest(message)) json.id = message.id;
        this.emit(json);
      } else {
        // The API's error envelope (401, 403, 413, 429, ...): a JSON-RPC error for the request.
        const e = json?.error;
        this.fail(
          message,
          -32000,
          e && typeof e === 'object' ? `${e.code} (${res.status}): ${e.message}` : `Waitroom answered HTTP ${res.status}`,
        );
      }
    } catch (e) {
      this.fail(message, -32000, `bad answer from Waitroom: ${why(e)}`);
    }
  }

  /**
   * Copies each `data:` message of an SSE answer to stdout as one line. A stream's priming event
   * (an id and empty data, MCP 2025-11-25's resumable streams) carries no message: skipped.
   */
  async stream(body) {
    const decoder = new TextDecoder();
    let buffer = '';
    let data = [];
    const line = (l) => {
      if (l.endsWith('\r')) l = l.slice(0, -1);
      if (l === '') {
        const text = data.join('\n');
        if (text.trim()) this.emit(JSON.parse(text));
        data = [];
      } else if (l.startsWith('data:')) {
        data.push(l.slice(l.startsWith('data: ') ? 6 : 5));
      }
    };
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        line(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    }
    buffer += decoder.decode();
    if (buffer) line(buffer);
    line('');
  }

  /** A new session, once for all the requests that found `stale` forgotten. */
  async renew(stale) {
    if (this.session && this.session !== stale) return true; // renewed by another request
    if (!this.renewing) {
      this.renewing = this.reinitialise().finally(() => {
        this.renewing = null;
      });
    }
    return this.renewing;
  }

  /** Replays the client's initialize (and initialized) for a new session. */
  async reinitialise() {
    const init = { ...structuredClone(this.initialize), id: `${REINIT_PREFIX}${++this.reinits}` };
    this.session = undefined;
    try {
      const res = await this.post(init);
      const session = res.headers.get('mcp-session-id');
      await res.text();
      if (res.status !== 200 || !session) return false;
      this.session = session;
      const note = await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
      await note.text();
      this.log('session renewed');
      return true;
    } catch (e) {
      this.log(`cannot renew the session: ${why(e)}`);
      return false;
    }
  }

  /** Ends the session on the server (it would forget it after 30 idle minutes anyway). */
  async endSession() {
    if (!this.session) return;
    try {
      const res = await fetch(this.endpoint, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${this.apiKey}`, 'Mcp-Session-Id': this.session },
        signal: AbortSignal.timeout(2000),
      });
      await res.body?.cancel();
    } catch {
      // the server forgets idle sessions on its own
    }
  }

  /** Waits up to `ms` for the answers still in flight. */
  async drain(ms) {
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    await Promise.race([Promise.allSettled([...this.inFlight]), timeout]);
    clearTimeout(timer);
  }

  fail(message, code, reason) {
    if (isRequest(message)) this.emit(rpcError(message.id, code, reason));
    else this.log(reason);
  }

  emit(message) {
    if (typeof message?.id === 'string' && message.id.startsWith(REINIT_PREFIX)) return;
    const version = message?.result?.protocolVersion;
    if (typeof version === 'string') this.version = version;
    this.write(`${JSON.stringify(message)}\n`);
  }
}

const USAGE = `Usage: waitroom-mcp-server

An MCP server on stdio that forwards to a Waitroom server's Streamable HTTP endpoint.

Environment:
  WAITROOM_API_KEY  the agent key (wr_...), required
  API_BASE_URL      the Waitroom server, with or without a trailing /v1 (default ${DEFAULT_BASE_URL})
`;

/**
 * The command: checks the environment, then bridges stdin/stdout until stdin ends. Resolves with
 * the exit code.
 */
export async function main(argv = process.argv.slice(2), env = process.env) {
  const log = (m) => process.stderr.write(`waitroom-mcp-server: ${m}\n`);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stderr.write(USAGE);
    return 0;
  }
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) {
    log(`Node.js 20 or newer is required (this is ${process.versions.node})`);
    return 1;
  }
  const apiKey = (env.WAITROOM_API_KEY ?? '').trim();
  if (!apiKey) {
    log('WAITROOM_API_KEY is not set: set it to your agent key (wr_...) in the MCP client\'s "env" block');
    return 1;
  }
  const endpoint = mcpUrl(env.API_BASE_URL);
  try {
    const url = new URL(endpoint);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    log(`API_BASE_URL must be an http:// or https:// URL (got ${JSON.stringify(env.API_BASE_URL)})`);
    return 1;
  }
  process.stdout.on('error', () => process.exit(0)); // the client went away
  const bridge = new Bridge({ endpoint, apiKey, write: (s) => process.stdout.write(s), log });
  log(`forwarding to ${endpoint}`);

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await bridge.drain(2000);
    await bridge.endSession();
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => stop().then(() => process.exit(0)));
  }
  for await (const line of lines) bridge.handleLine(line);
  await stop();
  return 0;
}
