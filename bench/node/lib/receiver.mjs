// The webhook receiver of the webhooks figure, on a worker thread of its own: the main thread is
// busy posting the signals, and a receiver sharing its event loop would answer the server late
// and measure the harness instead of the server. It answers 200 at once and reports each
// delivery as [arrival (process-wide monotonic ms), webhook-id, signal id] in batches.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const now = () => Number(process.hrtime.bigint()) / 1e6;
let batch = [];
let flushing = null;
const flush = () => {
  flushing = null;
  if (batch.length) parentPort.postMessage({ deliveries: batch });
  batch = [];
};

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const t = now();
    res.writeHead(200).end('ok');
    let sig = null;
    try { sig = JSON.parse(Buffer.concat(chunks).toString()).data.id; } catch { /* counted, unmatched */ }
    batch.push([t, req.headers['webhook-id'], sig]);
    if (!flushing) flushing = setTimeout(flush, 20);
  });
});
server.keepAliveTimeout = 10000;
server.listen(0, workerData.host, () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => {
  if (m === 'close') {
    flush();
    server.closeAllConnections?.();
    server.close(() => process.exit(0));
  }
});
