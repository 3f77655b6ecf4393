import type { Scopes } from '../scopes.js';

/**
 * Everything the key server keeps, behind one interface so several gateway
 * instances can share it (Redis, later). Semantics every implementation must
 * keep — test/contract/store.contract.ts checks them:
 *
 * - Records are keyed by the sha256 digest of the token (never the token) and
 *   are reachable by `jti`. An identity is `(iss, sub)`.
 * - All times are epoch milliseconds passed in by the caller (`now`), so a
 *   store never reads a clock of its own.
 * - A record whose `expires_at <= now` is never returned as live: `get*`
 *   may return it (so the caller can say "expired") or not at all, counts and
 *   lists leave it out, and revocation treats it as unknown.
 * - `put` checks the per-identity cap and inserts in one step (a Redis store
 *   does it in one script), so two concurrent exchanges cannot both pass a cap of one.
 * - `hit` is a fixed-window counter shared by every instance.
 */

export interface TokenIdentity {
  iss: string;
  sub: string;
  email?: string | undefined;
}

export interface TokenRecord extends TokenIdentity {
  /** sha256 hex of the token value. */
  digest: string;
  jti: string;
  scopes: Scopes;
  /** The scope string returned to the client. */
  scope: string;
  issued_at: number;
  expires_at: number;
  client_ip?: string | undefined;
}

export type OnTokenCap = 'reject' | 'evict_oldest';

export interface PutOptions {
  maxPerIdentity: number;
  onCap: OnTokenCap;
  now: number;
}

export type PutResult = { ok: true; evicted: TokenRecord[] } | { ok: false; reason: 'cap' };

export interface HitResult {
  allowed: boolean;
  /** Hits in the current window, this one included. */
  count: number;
  /** Until the window resets (0 when allowed). */
  retryAfterMs: number;
}

export interface TokenStore {
  readonly kind: string;
  put(record: TokenRecord, options: PutOptions): Promise<PutResult>;
  getByDigest(digest: string, now: number): Promise<TokenRecord | undefined>;
  getByJti(jti: string, now: number): Promise<TokenRecord | undefined>;
  /** Removes a live record; undefined when unknown or already expired. */
  revokeByJti(jti: string, now: number): Promise<TokenRecord | undefined>;
  revokeByDigest(digest: string, now: number): Promise<TokenRecord | undefined>;
  /** Every live record with this `sub` (of any issuer, or of `iss` when given). */
  revokeBySubject(sub: string, now: number, iss?: string): Promise<TokenRecord[]>;
  /** Live records with this `sub`, oldest first. */
  listBySubject(sub: string, now: number, iss?: string): Promise<TokenRecord[]>;
  countForIdentity(iss: string, sub: string, now: number): Promise<number>;
  /** Drops expired records and returns them (for `token.expired` audit lines). */
  reapExpired(now: number): Promise<TokenRecord[]>;
  /** Counts one hit of `key` in the fixed window containing `now`; allowed while count <= limit. */
  hit(key: string, limit: number, windowMs: number, now: number): Promise<HitResult>;
  close(): Promise<void>;
}
