import { type RequestOptions, type Transport, seg } from './http.js';
import { PagePromise } from './pagination.js';
import type {
  Agent,
  AgentInput,
  AgentMe,
  AuditEntry,
  AuditListParams,
  Delivery,
  DeliveryListParams,
  EvaluateInput,
  Grant,
  GrantInput,
  ListParams,
  Page,
  PolicyDocument,
  PolicyDocumentInput,
  PolicyEvaluation,
  RegisteredAgent,
  Room,
  RoomInput,
  SelfRegisterInput,
  SelfRegisteredAgent,
  Signal,
  SignalInput,
  TrustReport,
  Watcher,
  WatcherInput,
  WatcherWithSecret,
} from './types.js';

type Data<T> = { data: T };

abstract class Resource {
  constructor(protected readonly http: Transport) {}

  protected one<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    options?: RequestOptions,
    flags: { idempotent?: boolean; anonymous?: boolean } = {},
  ): Promise<T> {
    return this.http.request<Data<T>>({ method, path, body, ...flags }, options).then((r) => r.data);
  }

  protected paged<T>(path: string, params: object | undefined, options?: RequestOptions): PagePromise<T> {
    const base = { ...(params as Record<string, string | number | boolean | undefined>) };
    return new PagePromise<T>((cursor) =>
      this.http.request<Page<T>>({ method: 'GET', path, query: { ...base, cursor: cursor ?? base['cursor'] } }, options),
    );
  }
}

export class Rooms extends Resource {
  /** Creates a room (Human); the slug comes from the name when absent. */
  create(input: RoomInput, options?: RequestOptions): Promise<Room> {
    return this.one('POST', '/v1/rooms', input, options);
  }

  /** The rooms you can see, oldest first: `await` for a page, `for await` for all. */
  list(params?: ListParams, options?: RequestOptions): PagePromise<Room> {
    return this.paged('/v1/rooms', params, options);
  }

  /** By slug or id. */
  get(room: string, options?: RequestOptions): Promise<Room> {
    return this.one('GET', `/v1/rooms/${seg(room)}`, undefined, options);
  }
}

export class Policies extends Resource {
  /** The room's current policy document. */
  async get(room: string, options?: RequestOptions): Promise<PolicyDocument> {
    return (await this.one<Room>('GET', `/v1/rooms/${seg(room)}`, undefined, options)).policies;
  }

  /** Replaces the whole document; resolves to the room. */
  put(room: string, policies: PolicyDocumentInput, options?: RequestOptions): Promise<Room> {
    return this.one('PUT', `/v1/rooms/${seg(room)}/policies`, policies, options);
  }

  /** Dry run: what the engine would decide for this check-in (nothing is stored). */
  evaluate(room: string, input: EvaluateInput, options?: RequestOptions): Promise<PolicyEvaluation> {
    return this.one('POST', `/v1/rooms/${seg(room)}/policies/evaluate`, input, options);
  }
}

export class Grants extends Resource {
  /** Creates a standing grant in a room (Human): matching check-ins are approved by `system:grant`. */
  create(room: string, input: GrantInput, options?: RequestOptions): Promise<Grant> {
    return this.one('POST', `/v1/rooms/${seg(room)}/grants`, input, options);
  }

  /** A room's grants, revoked ones too, with `uses` and `remaining_uses` (Human). */
  list(room: string, params?: ListParams, options?: RequestOptions): PagePromise<Grant> {
    return this.paged(`/v1/rooms/${seg(room)}/grants`, params, options);
  }

  /** Revokes a grant (Human); a grant already revoked fails with `CONFLICT` (409). */
  revoke(room: string, id: string, options?: RequestOptions): Promise<Grant> {
    return this.one('DELETE', `/v1/rooms/${seg(room)}/grants/${seg(id)}`, undefined, options);
  }
}

export class Signals extends Resource {
  /** Broadcasts a signal into the room (humans and agents). */
  broadcast(room: string, input: SignalInput, options?: RequestOptions): Promise<Signal> {
    return this.one('POST', `/v1/rooms/${seg(room)}/signal`, input, options, { idempotent: true });
  }
}

export class Watchers extends Resource {
  /** Watches a room (Agent); the answer carries the webhook signing `secret`, shown only here. */
  create(room: string, input: WatcherInput = {}, options?: RequestOptions): Promise<WatcherWithSecret> {
    return this.one('POST', `/v1/rooms/${seg(room)}/watch`, input, options);
  }

  /** A room's watchers (Human). */
  list(room: string, params?: ListParams, options?: RequestOptions): PagePromise<Watcher> {
    return this.paged(`/v1/rooms/${seg(room)}/watchers`, params, options);
  }

  /** Removes your own watcher (Agent). */
  remove(id: string, options?: RequestOptions): Promise<Watcher> {
    return this.one('DELETE', `/v1/watchers/${seg(id)}`, undefined, options);
  }

  /** Removes any watcher of a room (Human). */
  removeFromRoom(room: string, id: string, options?: RequestOptions): Promise<Watcher> {
    return this.one('DELETE', `/v1/rooms/${seg(room)}/watchers/${seg(id)}`, undefined, options);
  }

  /** Every delivery attempt of a watcher's webhooks. */
  deliveries(id: string, params?: DeliveryListParams, options?: RequestOptions): PagePromise<Delivery> {
    return this.paged(`/v1/watchers/${seg(id)}/deliveries`, params, options);
  }
}

export class Agents extends Resource {
  /** Registers an agent in your org (Human); `api_key` is shown only here. */
  register(input: AgentInput, options?: RequestOptions): Promise<RegisteredAgent> {
    return this.one('POST', '/v1/agents/register', input, options);
  }

  /** Registers without credentials; a human claims it later with the `claim_token`. */
  selfRegister(input: SelfRegisterInput, options?: RequestOptions): Promise<SelfRegisteredAgent> {
    return this.one('POST', '/v1/agents/self-register', input, options, { anonymous: true });
  }

  /** Moves a self-registered agent into your org (Human). */
  claim(claimToken: string, options?: RequestOptions): Promise<Agent> {
    return this.one('POST', '/v1/agents/claim', { claim_token: claimToken }, options);
  }

  /** The calling agent. */
  me(options?: RequestOptions): Promise<AgentMe> {
    return this.one('GET', '/v1/agents/me', undefined, options);
  }

  list(params?: ListParams, options?: RequestOptions): PagePromise<Agent> {
    return this.paged('/v1/agents', params, options);
  }

  get(agent: string, options?: RequestOptions): Promise<Agent> {
    return this.one('GET', `/v1/agents/${seg(agent)}`, undefined, options);
  }

  /** Trust scores per room. */
  trust(agent: string, options?: RequestOptions): Promise<TrustReport> {
    return this.one('GET', `/v1/agents/${seg(agent)}/trust`, undefined, options);
  }
}

export class Audit extends Resource {
  /** The org's audit log, newest first. */
  list(params?: AuditListParams, options?: RequestOptions): PagePromise<AuditEntry> {
    return this.paged('/v1/audit', params, options);
  }

  room(room: string, params?: AuditListParams, options?: RequestOptions): PagePromise<AuditEntry> {
    return this.paged(`/v1/rooms/${seg(room)}/audit`, params, options);
  }

  /** Rows where the agent is the actor or the target. */
  agent(agent: string, params?: AuditListParams, options?: RequestOptions): PagePromise<AuditEntry> {
    return this.paged(`/v1/agents/${seg(agent)}/audit`, params, options);
  }
}
