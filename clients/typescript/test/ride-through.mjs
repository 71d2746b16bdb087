// Driven by io.waitroom.ops.DatabaseRestartTest while the server's PostgreSQL is down: with the
// SDK's default settings, a create and a checkInAndWait must complete once the database is back,
// with no error. WAITROOM_BASE_URL, WAITROOM_API_KEY (an agent key), WAITROOM_ROOM, WAITROOM_TAG
// (prefix of the actions). Prints one JSON line: {created, decided}.
import { WaitroomClient } from '@waitroom-io/sdk';

const client = new WaitroomClient({ apiKey: process.env.WAITROOM_API_KEY, baseUrl: process.env.WAITROOM_BASE_URL });
const room = process.env.WAITROOM_ROOM;
const tag = process.env.WAITROOM_TAG;

const [created, decided] = await Promise.all([
  client.checkIns.create(room, { action: `${tag} create` }),
  client.checkIns.checkInAndWait(room, { action: `${tag} wait` }, { maxWaitMs: 90_000 }),
]);
console.log(JSON.stringify({ created: { id: created.id, status: created.status }, decided: { id: decided.id, status: decided.status } }));
