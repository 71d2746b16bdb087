import type { CheckIn } from './types.js';

/** The API's error codes, plus the client's own for failures that never got an answer. */
export type ErrorCode =
  | 'VALIDATION_ERROR'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'POLICY_FORBIDS'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'MISDIRECTED_REQUEST'
  | 'INTERNAL'
  | 'SERVICE_UNAVAILABLE'
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'ABORTED'
  | (string & {});

export interface WaitroomErrorInit {
  code: ErrorCode;
  message: string;
  statusCode: number;
  details?: Record<string, unknown> | undefined;
  requestId?: string | undefined;
  retryAfter?: number | undefined;
  cause?: unknown;
}

/**
 * A failed call. For an API answer, `code`, `message`, `statusCode` and `details` are the server's
 * own; `requestId` is its `X-Request-Id`. Failures without an answer use `statusCode` 0 and the
 * codes `NETWORK_ERROR`, `TIMEOUT` or `ABORTED`.
 */
export class WaitroomError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: Record<string, unknown> | undefined;
  readonly requestId: string | undefined;
  /** Seconds the server asked to wait (`RATE_LIMITED`). */
  readonly retryAfter: number | undefined;

  constructor(init: WaitroomErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'WaitroomError';
    this.code = init.code;
    this.statusCode = init.statusCode;
    this.details = init.details;
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
  }
}

/** `checkInAndWait` ran out of `maxWaitMs`; `checkIn` is the still pending check-in. */
export class WaitroomTimeoutError extends WaitroomError {
  readonly checkIn: CheckIn | undefined;

  constructor(message: string, checkIn?: CheckIn, cause?: unknown) {
    super({ code: 'TIMEOUT', message, statusCode: 0, cause });
    this.name = 'WaitroomTimeoutError';
    this.checkIn = checkIn;
  }
}

/**
 * A decision's receipt that does not check out: `reason` is `no_receipt`, `unknown_key` (no
 * published key has its `kid`), `bad_signature`, or `mismatch` (then `field` names the claim that
 * differs from the check-in you hold: `payload_hash`, `decision`, `modifications_hash` ...).
 * `checkInAndWait({ verifyReceipt: true })` throws it instead of resolving.
 */
export class ReceiptVerificationError extends Error {
  readonly reason: 'no_receipt' | 'unknown_key' | 'bad_signature' | 'mismatch';
  readonly field: string | undefined;
  /** The decided check-in whose receipt failed (set by `checkInAndWait`). */
  checkIn: CheckIn | undefined;

  constructor(reason: ReceiptVerificationError['reason'], message: string, cause?: unknown, field?: string) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ReceiptVerificationError';
    this.reason = reason;
    this.field = field;
    this.checkIn = undefined;
  }
}

/** A webhook whose signature, timestamp or headers do not check out. */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

const CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  421: 'MISDIRECTED_REQUEST',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/** The error of an HTTP answer: the API's envelope when there is one, else derived from the status. */
export function errorFromResponse(status: number, body: unknown, requestId: string | undefined, retryAfterHeader: string | null): WaitroomError {
  const envelope = isObject(body) && isObject(body['error']) ? body['error'] : undefined;
  const retryHeader = retryAfterHeader === null ? undefined : Number(retryAfterHeader);
  const retryAfter =
    envelope && typeof envelope['retryAfter'] === 'number'
      ? envelope['retryAfter']
      : retryHeader !== undefined && Number.isFinite(retryHeader)
        ? retryHeader
        : undefined;
  if (envelope && typeof envelope['code'] === 'string' && typeof envelope['message'] === 'string') {
    return new WaitroomError({
      code: envelope['code'],
      message: envelope['message'],
      statusCode: typeof envelope['statusCode'] === 'number' ? envelope['statusCode'] : status,
      details: isObject(envelope['details']) ? envelope['details'] : undefined,
      requestId,
      retryAfter,
    });
  }
  return new WaitroomError({
    code: CODES[status] ?? (status >= 500 ? 'INTERNAL' : `HTTP_${status}`),
    message: `HTTP ${status} without an error body`,
    statusCode: status,
    requestId,
    retryAfter,
  });
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
