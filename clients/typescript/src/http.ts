import { WaitroomError, errorFromResponse } from './errors.js';

/** Per-call options, accepted by every method as its last argument. */
export interface RequestOptions {
  /** Cancels the call (and its retries); the promise rejects with code `ABORTED`. */
  signal?: AbortSignal;
  /** Deadline of one attempt, in milliseconds (default: the client's `timeoutMs`). */
  timeoutMs?: number;
  /** Sent as `Idempotency-Key` on creating calls; one is generated per call when absent. */
  idempotencyKey?: string;
  /** Retries after a 429, a network error or a 5xx (default: the client's `maxRetries`). */
  maxRetries?: number;
}

export interface ClientOptions {
  /** An agent key (`wr_...`) or a human JWT, sent as `Authorization: Bearer ...`. */
  apiKey?: string | undefined;
  /** The server root, without `/v1` (default `http://localhost:8080`). */
  baseUrl?: string | undefined;
  /** Deadline of one attempt in milliseconds (default 30 000). */
  timeoutMs?: number | undefined;
  /** Retries per call after a 429, or a network error or 5xx where that is safe (default 2). */
  maxRetries?: number | undefined;
  /**
   * How long a retry-safe call (GET, PUT, the POSTs sent with an `Idempotency-Key`) keeps retrying
   * `503 SERVICE_UNAVAILABLE` (the server's database restarting) before the error surfaces, in
   * milliseconds, waiting `Retry-After` with backoff between attempts; `0` turns it off.
   * Independent of `maxRetries` (default 20 000).
   */
  unavailableRetryMs?: number | undefined;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch | undefined;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Query | undefined;
  body?: unknown;
  /** The route honours `Idempotency-Key`: one is sent, which makes network errors and 5xx retryable. */
  idempotent?: boolean;
  /** Do not send the credential (self-registration). */
  anonymous?: boolean;
}

/** Percent-encodes one path segment. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

export function newIdempotencyKey(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  let s = '';
  for (let i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16);
  return `${Date.now().toString(36)}-${s}`;
}

/** Resolves after `ms`, or rejects with `ABORTED` as soon as the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(signal));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(aborted(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function aborted(signal?: AbortSignal): WaitroomError {
  return new WaitroomError({ code: 'ABORTED', message: 'the call was aborted', statusCode: 0, cause: signal?.reason });
}

/** A signal that fires when the caller's fires or after `timeoutMs`; `timedOut()` tells which. */
export function deadline(signal: AbortSignal | undefined, timeoutMs: number | undefined) {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, timeoutMs);
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    done: () => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** Backoff between retries after a network error or a 5xx: 0.5 s, 1 s, 2 s ... capped at 8 s, with jitter. */
function backoff(attempt: number): number {
  const base = Math.min(8000, 500 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

/** How long a 429 is honoured at most per retry (a longer `Retry-After` is surfaced as the error). */
const MAX_RETRY_AFTER_MS = 60_000;

/** Sends requests: auth, JSON, timeouts, aborts, retries and the error envelope. */
export class Transport {
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly unavailableRetryMs: number;
  readonly fetch: typeof fetch;

  constructor(options: ClientOptions) {
    this.baseUrl = (options.baseUrl ?? 'http://localhost:8080').replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRetries = options.maxRetries ?? 2;
    this.unavailableRetryMs = options.unavailableRetryMs ?? 20_000;
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new Error('no global fetch: pass options.fetch (Node 18+ has one)');
    this.fetch = f.bind(globalThis);
  }

  url(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== null) params.set(k, String(v));
    }
    const qs = params.toString();
    return this.baseUrl + path + (qs ? `?${qs}` : '');
  }

  headers(extra?: Record<string, string>, anonymous = false): Record<string, string> {
    const h: Record<string, string> = { Accept: 'application/json', ...extra };
    if (this.apiKey && !anonymous) h['Authorization'] = `Bearer ${this.apiKey}`;
    return h;
  }

  /** The parsed JSON body of a successful answer. */
  async request<T>(call: Call, options: RequestOptions = {}): Promise<T> {
    const extra: Record<string, string> = {};
    if (call.body !== undefined) extra['Content-Type'] = 'application/json';
    const key = call.idempotent ? (options.idempotencyKey ?? newIdempotencyKey()) : undefined;
    if (key !== undefined) extra['Idempotency-Key'] = key;
    const retrySafe = call.method === 'GET' || call.method === 'PUT' || key !== undefined;
    const maxRetries = options.maxRetries ?? this.maxRetries;
    const url = this.url(call.path, call.query);
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    // `retries` counts against maxRetries; 503s have a budget of their own, a time.
    const started = Date.now();
    let retries = 0;
    let unavailable = 0;
    for (;;) {
      const d = deadline(options.signal, options.timeoutMs ?? this.timeoutMs);
      let response: Response;
      let text: string;
      try {
        const init: RequestInit = { method: call.method, headers: this.headers(extra, call.anonymous), signal: d.signal };
        if (body !== undefined) init.body = body;
        response = await this.fetch(url, init);
        text = await response.text();
      } catch (e) {
        if (options.signal?.aborted) throw aborted(options.signal);
        if (d.timedOut()) {
          throw new WaitroomError({ code: 'TIMEOUT', message: `${call.method} ${call.path} timed out`, statusCode: 0, cause: e });
        }
        if (retrySafe && retries < maxRetries) {
          await sleep(backoff(retries++), options.signal);
          continue;
        }
        throw new WaitroomError({
          code: 'NETWORK_ERROR',
          message: `${call.method} ${call.path} failed: ${e instanceof Error ? e.message : String(e)}`,
          statusCode: 0,
          cause: e,
        });
      } finally {
        d.done();
      }
      const json = parseJson(text);
      if (response.ok) return json as T;
      const err = errorFromResponse(response.status, json, response.headers.get('x-request-id') ?? undefined, response.headers.get('retry-after'));
      const retryAfterMs = (err.retryAfter ?? 1) * 1000;
      if (response.status === 503 && retrySafe) {
        // The database restarting: wait Retry-After (or the backoff, capped at 4 s), for up to
        // unavailableRetryMs in all, so a restart of a few seconds surfaces no error.
        const wait = Math.max(retryAfterMs, Math.min(4000, backoff(unavailable)));
        if (Date.now() - started + wait <= this.unavailableRetryMs) {
          unavailable++;
          await sleep(wait, options.signal);
          continue;
        }
        throw err;
      }
      if (response.status === 429 && retries < maxRetries && retryAfterMs <= MAX_RETRY_AFTER_MS) {
        retries++;
        await sleep(retryAfterMs, options.signal);
        continue;
      }
      if (response.status >= 500 && retrySafe && retries < maxRetries) {
        await sleep(backoff(retries++), options.signal);
        continue;
      }
      throw err;
    }
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
