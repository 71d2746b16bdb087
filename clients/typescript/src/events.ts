import { WaitroomError, errorFromResponse } from './errors.js';
import { type Transport, seg, sleep } from './http.js';
import type { EventTypeFilter, RoomEvent } from './types.js';

export interface SubscribeOptions {
  /** Only these event types (aliases such as `checkin.decided` allowed). */
  types?: EventTypeFilter[];
  /** Resume after this event id (`0`: everything retained); without it the stream starts live. */
  lastEventId?: number | string;
  /** Ends the iteration. */
  signal?: AbortSignal;
  /** No byte (not even the server's `: ping`) for this long counts as a dropped stream (default 45 000). */
  idleTimeoutMs?: number;
  /** First delay before reconnecting after a drop (default 1000; doubles up to 30 s). */
  reconnectDelayMs?: number;
}

/** A live room stream; iterate it with `for await`. It reconnects after a drop and resumes from the last event id. */
export interface EventSubscription extends AsyncIterable<RoomEvent> {
  /** The id of the last event received (what a reconnect resumes from). */
  readonly lastEventId: string | undefined;
  /** Ends the stream; a pending iteration finishes. */
  close(): void;
}

export class Events {
  constructor(private readonly http: Transport) {}

  /** Server-Sent Events of a room, as an async iterator of envelopes. */
  subscribe(room: string, options: SubscribeOptions = {}): EventSubscription {
    const http = this.http;
    const closer = new AbortController();
    const onAbort = () => closer.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) closer.abort();
    const state: { lastEventId: string | undefined } = {
      lastEventId: options.lastEventId === undefined ? undefined : String(options.lastEventId),
    };
    const idleMs = options.idleTimeoutMs ?? 45_000;
    const firstDelay = options.reconnectDelayMs ?? 1000;
    const path = `/v1/rooms/${seg(room)}/events`;
    const query = options.types?.length ? { types: options.types.join(',') } : undefined;

    async function* run(): AsyncGenerator<RoomEvent, void, undefined> {
      let delay = firstDelay;
      try {
        while (!closer.signal.aborted) {
          const conn = new AbortController();
          const stop = () => conn.abort();
          closer.signal.addEventListener('abort', stop, { once: true });
          let idle: ReturnType<typeof setTimeout> | undefined;
          const touch = () => {
            if (idle !== undefined) clearTimeout(idle);
            idle = setTimeout(() => conn.abort(), idleMs);
          };
          let retryAfterMs: number | undefined;
          try {
            const headers = http.headers({ Accept: 'text/event-stream' });
            if (state.lastEventId !== undefined) headers['Last-Event-ID'] = state.lastEventId;
            touch();
            const res = await http.fetch(http.url(path, query), { headers, signal: conn.signal });
            if (!res.ok || !res.body) {
              const text = await res.text().catch(() => '');
              let json: unknown;
              try {
                json = JSON.parse(text);
              } catch {
                json = undefined;
              }
              const err = errorFromResponse(res.status, json, res.headers.get('x-request-id') ?? undefined, res.headers.get('retry-after'));
              if (res.status === 429) retryAfterMs = (err.retryAfter ?? 1) * 1000;
              else if (res.status < 500) throw err;
            } else {
              delay = firstDelay;
              const reader = res.body.getReader();
              const decoder = new TextDecoder();
              let buffer = '';
              let data: string[] = [];
              let id: string | undefined;
              try {
                for (;;) {
                  const { value, done } = await reader.read();
                  if (done) break;
                  touch();
                  buffer += decoder.decode(value, { stream: true });
                  const lines = buffer.split(/\r\n|\r|\n/);
                  buffer = lines.pop() ?? '';
                  for (const line of lines) {
                    if (line === '') {
                      if (id !== undefined) state.lastEventId = id;
                      if (data.length) {
                        const event = JSON.parse(data.join('\n')) as RoomEvent;
                        data = [];
                        id = undefined;
                        yield event;
                      }
                      id = undefined;
                      continue;
                    }
                    if (line.startsWith(':')) continue;
                    const colon = line.indexOf(':');
                    const field = colon < 0 ? line : line.slice(0, colon);
                    let value = colon < 0 ? '' : line.slice(colon + 1);
                    if (value.startsWith(' ')) value = value.slice(1);
                    if (field === 'data') data.push(value);
                    else if (field === 'id') id = value;
                  }
                }
              } finally {
                reader.cancel().catch(() => undefined);
              }
            }
          } catch (e) {
            if (e instanceof WaitroomError) throw e;
            // A dropped, reset or idle connection: reconnect below.
          } finally {
            if (idle !== undefined) clearTimeout(idle);
            closer.signal.removeEventListener('abort', stop);
            conn.abort();
          }
          if (closer.signal.aborted) break;
          try {
            await sleep(retryAfterMs ?? delay, closer.signal);
          } catch {
            break;
          }
          delay = Math.min(delay * 2, 30_000);
        }
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
    }

    const iterator = run();
    return {
      get lastEventId() {
        return state.lastEventId;
      },
      close: () => closer.abort(),
      [Symbol.asyncIterator]: () => iterator,
    };
  }
}
