// The local SMTP server of the e-mail figures (issue 26): a sink that accepts every message at
// once and keeps nothing but when it accepted it and whose it was. A real MTA (Postfix, GreenMail)
// would queue, write to disk and look up DNS, and the figure would measure it instead of the
// Waitroom server; the sink answers as fast as the socket allows, so what is measured is the
// server's path from the check-in's commit to the SMTP server's "250".
//
// Protocol (enough for Vert.x's mail client, RFC 5321): 220 greeting; EHLO (multi-line 250) or
// HELO; MAIL, RCPT, RSET, NOOP 250; DATA 354, then everything up to CRLF.CRLF, answered 250;
// QUIT 221; anything else 502. It advertises only 8BITMIME and SIZE (no STARTTLS, AUTH or
// PIPELINING), though commands that arrive together are answered in order all the same.
//
// It runs on a worker thread of its own (this same file), like the webhook receiver: the harness's
// main thread is busy firing the check-ins, and a sink sharing its event loop would answer the
// server late and measure the harness. Each accepted message is reported as
// [accepted at (process-wide monotonic ms), Message-ID, check-in id] in batches.
import net from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const now = () => Number(process.hrtime.bigint()) / 1e6;
const END = '\r\n.\r\n';

/** The Message-ID header of a message's header block (folded lines unfolded), or null. */
export function messageIdOf(message) {
  const head = message.split('\r\n\r\n', 1)[0].replace(/\r\n[ \t]+/g, ' ');
  const m = /^message-id:[ \t]*(.*)$/im.exec(head);
  return m ? m[1].trim() : null;
}

/** The check-in id a Waitroom Message-ID starts with (<ci_....mdl_....0@host>), or null. */
export function checkInIdOf(messageId) {
  return /^<?(ci_[0-9a-z]+)/.exec(messageId ?? '')?.[1] ?? null;
}

/**
 * One SMTP session on {@code socket}; {@code accepted(t, message)} for each message taken
 * (called before its 250 is written, with the time of acceptance).
 */
export function smtpSession(socket, accepted, name = 'waitroom-bench-sink') {
  socket.setNoDelay(true);
  socket.setEncoding('latin1'); // bytes as they came; only the headers are read
  let buf = '';
  let data = null; // while in DATA: the text so far, after a virtual CRLF (an empty message ends at once)
  let scanned = 0;
  socket.on('error', () => {}); // a client that goes away mid-session is not the sink's failure
  socket.write(`220 ${name} ESMTP\r\n`);
  socket.on('data', (chunk) => {
    const replies = [];
    buf += chunk;
    for (;;) {
      if (data !== null) {
        data += buf;
        buf = '';
        const at = data.indexOf(END, Math.max(0, scanned - END.length));
        if (at < 0) { scanned = data.length; break; }
        const message = data.slice(2, at + 2);
        buf = data.slice(at + END.length);
        data = null;
        accepted(now(), message);
        replies.push('250 2.0.0 accepted');
        continue;
      }
      const eol = buf.indexOf('\r\n');
      if (eol < 0) break;
      const line = buf.slice(0, eol);
      buf = buf.slice(eol + 2);
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'EHLO') replies.push(`250-${name}`, '250-8BITMIME', '250 SIZE 52428800');
      else if (verb === 'HELO') replies.push(`250 ${name}`);
      else if (verb === 'MAIL' || verb === 'RCPT' || verb === 'RSET' || verb === 'NOOP') replies.push('250 2.0.0 ok');
      else if (verb === 'DATA') { replies.push('354 end data with <CR><LF>.<CR><LF>'); data = '\r\n'; scanned = 0; }
      else if (verb === 'QUIT') { replies.push('221 2.0.0 bye'); socket.end(replies.join('\r\n') + '\r\n'); return; }
      else replies.push('502 5.5.2 command not implemented');
    }
    if (replies.length) socket.write(replies.join('\r\n') + '\r\n');
  });
}

/**
 * The sink, seen from the harness's main thread: starts the worker, keeps every accepted message
 * as {t, messageId, checkInId}, and waits for counts.
 */
export class SmtpSink {
  static async start(host) {
    const sink = new SmtpSink();
    sink.worker = new Worker(new URL(import.meta.url), { workerData: { smtpSink: true, host } });
    sink.port = await new Promise((resolve, reject) => {
      sink.worker.once('error', reject);
      sink.worker.on('message', (m) => {
        if (m.port) { resolve(m.port); return; }
        for (const [t, messageId, checkInId] of m.accepted) sink.messages.push({ t, messageId, checkInId });
        sink.settle();
      });
    });
    const urlHost = host.includes(':') ? `[${host}]` : host;
    sink.url = `smtp://${urlHost}:${sink.port}`;
    return sink;
  }

  constructor() {
    this.messages = [];
    this.waiting = [];
  }

  get count() { return this.messages.length; }

  settle() {
    this.waiting = this.waiting.filter((w) => {
      if (this.count < w.n) return true;
      w.resolve(true);
      return false;
    });
  }

  /**
   * Resolves true once {@code n} messages in all were accepted, false after {@code stallMs} without
   * a new one (slow is not broken: it waits as long as messages keep coming).
   */
  async waitFor(n, stallMs = 30000) {
    let progress = -1;
    while (this.count < n && this.count > progress) {
      progress = this.count;
      const reached = new Promise((resolve) => this.waiting.push({ n, resolve }));
      await Promise.race([reached, new Promise((r) => setTimeout(r, stallMs))]);
    }
    this.waiting = [];
    return this.count >= n;
  }

  async close() {
    if (!this.worker) return;
    const exited = new Promise((r) => this.worker.once('exit', r));
    this.worker.postMessage('close');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    await this.worker.terminate();
  }
}

if (!isMainThread && workerData?.smtpSink) {
  let batch = [];
  let flushing = null;
  const flush = () => {
    flushing = null;
    if (batch.length) parentPort.postMessage({ accepted: batch });
    batch = [];
  };
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    smtpSession(socket, (t, message) => {
      const id = messageIdOf(message);
      batch.push([t, id, checkInIdOf(id)]);
      if (!flushing) flushing = setTimeout(flush, 10);
    });
  });
  server.listen(0, workerData.host, () => parentPort.postMessage({ port: server.address().port }));
  parentPort.on('message', (m) => {
    if (m === 'close') {
      flush();
      for (const s of sockets) s.destroy();
      server.close(() => process.exit(0));
    }
  });
}
