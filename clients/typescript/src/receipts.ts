import { compactVerify, createLocalJWKSet, errors as joseErrors, type JSONWebKeySet } from 'jose';
import { ReceiptVerificationError } from './errors.js';
import { type RequestOptions, type Transport, seg } from './http.js';
import type { CheckIn, ReceiptClaims } from './types.js';

/**
 * RFC 8785 (JCS) canonical JSON: members sorted by UTF-16 code units, no white space, strings and
 * numbers as ECMAScript's `JSON.stringify` writes them (which is what the RFC specifies).
 */
export function canonicalize(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('JCS: numbers must be finite');
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      throw new TypeError(`JCS: not a JSON value (${typeof value})`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalize(v)).join(',')}]`;
  const o = value as Record<string, unknown>;
  const names = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${names.map((k) => `${JSON.stringify(k)}:${canonicalize(o[k])}`).join(',')}}`;
}

type Digest = { digest(alg: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer> };

async function subtle(): Promise<Digest> {
  const c = (globalThis as { crypto?: { subtle?: Digest } }).crypto;
  if (c?.subtle) return c.subtle;
  const name = 'node:crypto';
  const mod = (await import(name)) as { webcrypto: { subtle: Digest } };
  return mod.webcrypto.subtle;
}

/** `sha256:` + lowercase hex of SHA-256 over the canonical JSON of `value`. */
export async function hashJson(value: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalize(value));
  const digest = new Uint8Array(await (await subtle()).digest('SHA-256', bytes));
  return `sha256:${Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The `payload_hash` of what a check-in asks, recomputed from the check-in you hold. */
export function payloadHash(checkIn: Pick<CheckIn, 'action' | 'description' | 'risk_level' | 'urgency' | 'context'>): Promise<string> {
  return hashJson({
    action: checkIn.action,
    description: checkIn.description ?? null,
    risk_level: checkIn.risk_level,
    urgency: checkIn.urgency,
    context: checkIn.context ?? {},
  });
}

export interface VerifyReceiptOptions {
  /** The issuer the receipt must name (the server's public URL); unchecked when omitted. */
  issuer?: string;
}

/**
 * Verifies a decided check-in's receipt offline against a JWKS you hold: the EdDSA signature, then
 * that it is this check-in's receipt, for exactly the request you sent (`payload_hash` recomputed
 * from the check-in), with its decision, decider and (for `modified`) modifications. Resolves to
 * the receipt's claims; rejects with `ReceiptVerificationError` naming what did not match.
 */
export async function verifyReceipt(checkIn: CheckIn, jwks: JSONWebKeySet, options: VerifyReceiptOptions = {}): Promise<ReceiptClaims> {
  const receipt = checkIn.receipt;
  if (!receipt) throw new ReceiptVerificationError('no_receipt', `check-in ${checkIn.id} carries no receipt (status ${checkIn.status})`);
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(receipt, createLocalJWKSet(jwks), { algorithms: ['EdDSA'] }));
  } catch (e) {
    const reason = e instanceof joseErrors.JWKSNoMatchingKey ? 'unknown_key' : 'bad_signature';
    throw new ReceiptVerificationError(reason, `the receipt of ${checkIn.id} does not verify: ${(e as Error).message}`, e);
  }
  const claims = JSON.parse(new TextDecoder().decode(payload)) as ReceiptClaims;
  const mismatch = (field: string, want: unknown, got: unknown) =>
    new ReceiptVerificationError('mismatch', `the receipt's ${field} is ${JSON.stringify(got)}, the check-in's ${JSON.stringify(want)}`, undefined, field);
  if (claims.check_in_id !== checkIn.id) throw mismatch('check_in_id', checkIn.id, claims.check_in_id);
  if (options.issuer !== undefined && claims.iss !== options.issuer.replace(/\/+$/, '')) throw mismatch('iss', options.issuer, claims.iss);
  const hash = await payloadHash(checkIn);
  if (claims.payload_hash !== hash) throw mismatch('payload_hash', hash, claims.payload_hash);
  const decision = checkIn.decision;
  if (!decision || claims.decision !== decision.type) throw mismatch('decision', decision?.type ?? null, claims.decision);
  const by = decision.decided_by.startsWith('system') ? 'system' : decision.decided_by;
  if (claims.decided_by !== by) throw mismatch('decided_by', by, claims.decided_by);
  const modifications = decision.modifications == null ? null : await hashJson(decision.modifications);
  if (claims.modifications_hash !== modifications) throw mismatch('modifications_hash', modifications, claims.modifications_hash);
  return claims;
}

/** A receipt as the API serves it. */
export interface Receipt {
  receipt: string;
  claims: ReceiptClaims;
}

/** Signed receipts: fetch one, or verify a decided check-in's against the server's JWKS. */
export class Receipts {
  private jwks: { keys: JSONWebKeySet; at: number } | undefined;

  constructor(private readonly http: Transport, private readonly cacheMs = 10 * 60_000) {}

  /** `GET /v1/check-ins/:id/receipt` (404 while undecided). */
  get(id: string, options?: RequestOptions): Promise<Receipt> {
    return this.http.request<{ data: Receipt }>({ method: 'GET', path: `/v1/check-ins/${seg(id)}/receipt` }, options).then((r) => r.data);
  }

  /** The server's public keys (`/.well-known/jwks.json`), cached; `fresh` refetches. */
  async keys(fresh = false, options?: RequestOptions): Promise<JSONWebKeySet> {
    if (!fresh && this.jwks && Date.now() - this.jwks.at < this.cacheMs) return this.jwks.keys;
    const keys = await this.http.request<JSONWebKeySet>({ method: 'GET', path: '/.well-known/jwks.json', anonymous: true }, options);
    this.jwks = { keys, at: Date.now() };
    return keys;
  }

  /**
   * `verifyReceipt` with the server's JWKS (cached; fetched again once when the receipt names a
   * key the cache does not hold, after a rotation).
   */
  async verify(checkIn: CheckIn, options: VerifyReceiptOptions & RequestOptions = {}): Promise<ReceiptClaims> {
    const { issuer, ...request } = options;
    const verifyOptions = issuer === undefined ? {} : { issuer };
    try {
      return await verifyReceipt(checkIn, await this.keys(false, request), verifyOptions);
    } catch (e) {
      if (e instanceof ReceiptVerificationError && e.reason === 'unknown_key') {
        return verifyReceipt(checkIn, await this.keys(true, request), verifyOptions);
      }
      throw e;
    }
  }
}

