import { CheckIns, Tasks } from './checkins.js';
import { Events } from './events.js';
import { type ClientOptions, Transport } from './http.js';
import { Receipts } from './receipts.js';
import { Agents, Audit, Grants, Policies, Rooms, Signals, Watchers } from './resources.js';

/** The Waitroom API: one typed accessor per resource. */
export class WaitroomClient {
  readonly checkIns: CheckIns;
  readonly tasks: Tasks;
  readonly rooms: Rooms;
  readonly policies: Policies;
  readonly grants: Grants;
  readonly signals: Signals;
  readonly watchers: Watchers;
  readonly agents: Agents;
  readonly audit: Audit;
  readonly events: Events;
  /** Signed receipts of decisions: `client.receipts.verify(checkIn)`. */
  readonly receipts: Receipts;

  constructor(options: ClientOptions = {}) {
    const http = new Transport(options);
    this.receipts = new Receipts(http);
    this.checkIns = new CheckIns(http, this.receipts);
    this.tasks = new Tasks(http);
    this.rooms = new Rooms(http);
    this.policies = new Policies(http);
    this.grants = new Grants(http);
    this.signals = new Signals(http);
    this.watchers = new Watchers(http);
    this.agents = new Agents(http);
    this.audit = new Audit(http);
    this.events = new Events(http);
  }
}
