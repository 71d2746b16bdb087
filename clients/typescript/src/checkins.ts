import { ReceiptVerificationError, WaitroomError, WaitroomTimeoutError } from './errors.js';
import { type RequestOptions, type Transport, deadline, seg, sleep } from './http.js';
import { PagePromise } from './pagination.js';
import type { Receipts } from './receipts.js';
import type {
  CheckIn,
  CheckInDetail,
  CheckInInput,
  CheckInStatus,
  CheckInStatusView,
  CheckInWithParticipants,
  ClaimedListParams,
  JsonObject,
  ListParams,
  Message,
  MessageInput,
  Page,
  PendingListParams,
  TaskInput,
  TaskListParams,
} from './types.js';

/** Statuses a check-in or task can still leave. */
const WAITING: ReadonlySet<CheckInStatus> = new Set(['pending', 'in_progress', 'submitted']);

/** A check-in that has left `pending` (or `in_progress`/`submitted` for a task). */
export type DecidedCheckIn = CheckInStatusView & { status: Exclude<CheckInStatus, 'pending' | 'in_progress' | 'submitted'> };

export interface WaitOptions extends RequestOptions {
  /** Give up after this many milliseconds: rejects with `WaitroomTimeoutError` carrying the pending check-in. */
  maxWaitMs?: number;
  /** Seconds one long-poll asks the server to hold (1-60, default 30). */
  pollSeconds?: number;
  /**
   * `checkInAndWait` only: verify the decision's signed receipt (signature with the server's
   * JWKS, the request's payload hash, the decision and modifications) before resolving; any
   * mismatch rejects with `ReceiptVerificationError`.
   */
  verifyReceipt?: boolean;
}

export interface StatusOptions extends RequestOptions {
  /** Long-poll: hold the answer up to this many seconds (1-60) until the status changes. */
  wait?: number;
}

export interface DecisionInput {
  reason?: string;
}

export interface ModifyInput {
  reason: string;
  modifications: JsonObject;
}

type Data<T> = { data: T };

/** Shared by check-ins and tasks: both live under `/v1/check-ins/:id`. */
abstract class CheckInCommon {
  constructor(protected readonly http: Transport) {}

  protected one<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, options?: RequestOptions, idempotent = false): Promise<T> {
    return this.http.request<Data<T>>({ method, path, body, idempotent }, options).then((r) => r.data);
  }

  protected paged<T>(path: string, params: object | undefined, options?: RequestOptions): PagePromise<T> {
    const base = { ...(params as Record<string, string | number | boolean | undefined>) };
    return new PagePromise<T>(
      (cursor) => this.http.request<Page<T>>({ method: 'GET', path, query: { ...base, cursor: cursor ?? base['cursor'] } }, options),
    );
  }

  /** The check-in with its `messages` and `participants`. */
  get(id: string, options?: RequestOptions): Promise<CheckInDetail> {
    return this.one('GET', `/v1/check-ins/${seg(id)}`, undefined, options);
  }

  /** The check-in plus flat `decision_reason` and `modifications`; `wait` long-polls. */
  status(id: string, options: StatusOptions = {}): Promise<CheckInStatusView> {
    const { wait, ...rest } = options;
    return this.http
      .request<Data<CheckInStatusView>>({ method: 'GET', path: `/v1/check-ins/${seg(id)}/status`, query: { wait } }, rest)
      .then((r) => r.data);
  }

  approve(id: string, input: DecisionInput = {}, options?: RequestOptions): Promise<CheckIn> {
    return this.one('POST', `/v1/check-ins/${seg(id)}/approve`, input, options);
  }

  reject(id: string, input: { reason: string }, options?: RequestOptions): Promise<CheckIn> {
    return this.one('POST', `/v1/check-ins/${seg(id)}/reject`, input, options);
  }

  modify(id: string, input: ModifyInput, options?: RequestOptions): Promise<CheckIn> {
    return this.one('POST', `/v1/check-ins/${seg(id)}/modify`, input, options);
  }

  /** The thread, oldest first. */
  messages(id: string, params?: ListParams, options?: RequestOptions): PagePromise<Message> {
    return this.paged(`/v1/check-ins/${seg(id)}/messages`, params, options);
  }

  /** Posts to the thread (`Idempotency-Key` sent, so it is retried safely). */
  postMessage(id: string, input: MessageInput, options?: RequestOptions): Promise<Message> {
    return this.one('POST', `/v1/check-ins/${seg(id)}/messages`, input, options, true);
  }

  /**
   * Waits until the check-in leaves `pending` (tasks: `in_progress`/`submitted` too), with the
   * server's long-poll; against a server that answers at once it polls with backoff instead
   * (1 s, x1.5, capped at 30 s).
   */
  async waitForDecision(checkIn: string | CheckIn, options: WaitOptions = {}): Promise<DecidedCheckIn> {
    const end = options.maxWaitMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.maxWaitMs;
    const pollSeconds = Math.max(1, Math.min(60, Math.floor(options.pollSeconds ?? 30)));
    const id = typeof checkIn === 'string' ? checkIn : checkIn.id;
    let current: CheckInStatusView = typeof checkIn === 'string' ? await this.status(id, options) : withFlatDecision(checkIn);
    let longPoll = true;
    let interval = 1000;
    const timeout = (cause?: unknown) =>
      new WaitroomTimeoutError(`check-in ${id} still ${current.status} after ${options.maxWaitMs} ms`, current, cause);
    while (WAITING.has(current.status)) {
      const remaining = end - Date.now();
      if (remaining <= 0) throw timeout();
      if (longPoll) {
        const wait = Math.max(1, Math.min(pollSeconds, Math.ceil(remaining / 1000)));
        const started = Date.now();
        // The whole poll is bounded by what is left of maxWaitMs; an attempt by the wait plus slack.
        const d = deadline(options.signal, Number.isFinite(remaining) ? remaining : undefined);
        try {
          const next = await this.status(id, { ...options, signal: d.signal, wait, timeoutMs: wait * 1000 + 15_000 });
          if (WAITING.has(next.status) && Date.now() - started < (wait * 1000) / 2) longPoll = false;
          current = next;
        } catch (e) {
          if (d.timedOut()) throw timeout(e);
          if (e instanceof WaitroomError && e.code === 'VALIDATION_ERROR' && e.details?.['field'] === 'wait') longPoll = false;
          else throw e;
        } finally {
          d.done();
        }
      } else {
        await sleep(Math.min(interval, remaining), options.signal);
        interval = Math.min(interval * 1.5, 30_000);
        if (Date.now() >= end) throw timeout();
        current = await this.status(id, options);
      }
    }
    return current as DecidedCheckIn;
  }
}

/** The flat fields of the status view, derived from a check-in's `decision`. */
function withFlatDecision(c: CheckIn): CheckInStatusView {
  const v = c as CheckIn & Partial<CheckInStatusView>;
  return { ...c, decision_reason: v.decision_reason ?? c.decision?.reason ?? null, modifications: v.modifications ?? c.decision?.modifications ?? null };
}

/** Agent check-ins: ask a human before a risky action. */
export class CheckIns extends CheckInCommon {
  constructor(http: Transport, private readonly receipts: Receipts) {
    super(http);
  }

  /**
   * Creates a check-in; resolves to it (`pending`, or `approved` by policy or trust). A forbidding
   * rule rejects with `POLICY_FORBIDS` (`details.check_in_id`, `rule_id`, `reason`).
   */
  create(room: string, input: CheckInInput, options?: RequestOptions): Promise<CheckIn> {
    return this.one('POST', `/v1/rooms/${seg(room)}/check-in`, input, options, true);
  }

  /**
   * Creates a check-in and resolves once it is decided, to the check-in with `status`,
   * `decision_reason` and `modifications`. A check-in the policy forbids resolves as `rejected`
   * (decided by `system:policy`) instead of rejecting. `maxWaitMs` bounds the wait. With
   * `verifyReceipt: true` the decision's signed receipt is verified first (a mismatch rejects with
   * `ReceiptVerificationError`, whose `checkIn` is the decided check-in).
   */
  async checkInAndWait(room: string, input: CheckInInput, options: WaitOptions = {}): Promise<DecidedCheckIn> {
    const started = Date.now();
    const { verifyReceipt = false, ...waitOptions } = options;
    let decided: DecidedCheckIn;
    let created: CheckIn | undefined;
    try {
      created = await this.create(room, input, waitOptions);
    } catch (e) {
      const forbidden = e instanceof WaitroomError && e.code === 'POLICY_FORBIDS' ? e.details?.['check_in_id'] : undefined;
      if (typeof forbidden !== 'string') throw e;
      const { idempotencyKey: _unused, ...rest } = waitOptions;
      decided = (await this.status(forbidden, rest)) as DecidedCheckIn;
    }
    if (created !== undefined) {
      const { idempotencyKey: _unused, maxWaitMs, ...rest } = waitOptions;
      const left = maxWaitMs === undefined ? undefined : Math.max(0, maxWaitMs - (Date.now() - started));
      decided = await this.waitForDecision(created, left === undefined ? rest : { ...rest, maxWaitMs: left });
    }
    if (verifyReceipt && decided!.status !== 'withdrawn') {
      try {
        await this.receipts.verify(decided!);
      } catch (e) {
        if (e instanceof ReceiptVerificationError) e.checkIn = decided!;
        throw e;
      }
    }
    return decided!;
  }

  /** Withdraws your own pending check-in. */
  withdraw(id: string, options?: RequestOptions): Promise<CheckIn> {
    return this.one('DELETE', `/v1/check-ins/${seg(id)}`, undefined, options);
  }

  /** A room's agent check-ins for humans (`status` defaults to `pending`), oldest first. */
  listPending(room: string, params?: PendingListParams, options?: RequestOptions): PagePromise<CheckIn> {
    return this.paged(`/v1/rooms/${seg(room)}/pending`, params, options);
  }
}

/** Human-to-agent tasks: posted by humans, claimed and worked on by agents. */
export class Tasks extends CheckInCommon {
  constructor(http: Transport) {
    super(http);
  }

  create(room: string, input: TaskInput, options?: RequestOptions): Promise<CheckIn> {
    return this.one('POST', `/v1/rooms/${seg(room)}/tasks`, input, options, true);
  }

  list(room: string, params?: TaskListParams, options?: RequestOptions): PagePromise<CheckIn> {
    return this.paged(`/v1/rooms/${seg(room)}/tasks`, params, options);
  }

  /** The caller's tasks (as primary), decided ones included. */
  claimed(params?: ClaimedListParams, options?: RequestOptions): PagePromise<CheckIn> {
    return this.paged('/v1/check-ins/claimed', params, options);
  }

  claim(id: string, options?: RequestOptions): Promise<CheckInWithParticipants> {
    return this.one('POST', `/v1/check-ins/${seg(id)}/claim`, undefined, options);
  }

  release(id: string, options?: RequestOptions): Promise<CheckInWithParticipants> {
    return this.one('POST', `/v1/check-ins/${seg(id)}/release`, undefined, options);
  }

  /** Asks for help; a `body` is posted to the thread as an `escalation` message. */
  help(id: string, input: { body?: string } = {}, options?: RequestOptions): Promise<CheckInWithParticipants> {
    return this.one('POST', `/v1/check-ins/${seg(id)}/help`, input, options);
  }

  join(id: string, options?: RequestOptions): Promise<CheckInWithParticipants> {
    return this.one('POST', `/v1/check-ins/${seg(id)}/join`, undefined, options);
  }

  /** Submits the result: a `result` message from the primary moves the task to `submitted`. */
  submit(id: string, input: Omit<MessageInput, 'message_type'>, options?: RequestOptions): Promise<Message> {
    return this.postMessage(id, { ...input, message_type: 'result' }, options);
  }
}
