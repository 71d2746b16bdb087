// One share of the SSE fan-out's streams, on a worker thread of its own (lib/streams.mjs
// sseFanout): one Node thread reading 10,000 sockets in turn measured itself, not the server.
// Messages in: {open: n}, {arm: marker}, 'close'. Out: {opened}, {times: [arrival ms, ...]}
// (process-wide monotonic clock, the same as the main thread's), {closed}.
import { parentPort, workerData } from 'node:worker_threads';
import { openMany, closeAll, whenMarker } from './streams.mjs';

const { base, room, token } = workerData;
let streams = [];
parentPort.on('message', async (m) => {
  try {
    if (m.open) {
      streams = await openMany(base, room, token, m.open);
      parentPort.postMessage({ opened: streams.length });
    } else if (m.arm) {
      const arrivals = streams.map((s) => whenMarker(s, m.arm, 30000));
      parentPort.postMessage({ armed: true });
      const times = await Promise.all(arrivals);
      parentPort.postMessage({ times });
    } else if (m === 'close') {
      closeAll(streams);
      parentPort.postMessage({ closed: true });
    }
  } catch (e) {
    parentPort.postMessage({ error: String(e?.stack ?? e) });
  }
});
