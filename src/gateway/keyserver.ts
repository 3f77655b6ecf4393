import { createHash, timingSafeEqual } from 'node:crypto';
import type { SecretResolver } from '../config/secrets/index.js';
import type { Logger } from '../observability/logger.js';
import type { AuditEvent, AuditLog } from './audit.js';
import type { GatewayConfig } from './config.js';
import type { GatewayMetrics } from './metrics.js';
import { matchPolicy } from './policy.js';
import { createRateLimiter } from './ratelimit.js';
import { formatScope, narrowScopes, parseScope, type Scopes } from './scopes.js';
import type { TokenRecord, TokenStore } from './store/types.js';
import { digestToken, looksLikeToken, mintToken, newJti } from './tokens.js';
import { causes, IssuerUnavailableError, type Verifier, VerifyError } from './verify.js';
import {
  GRANT_TOKEN_EXCHANGE,
  TOKEN_TYPE_ID_TOKEN,
  TOKEN_TYPE_JWT,
  type TokenResponse,
  type WireErrorCode,
} from './wire.js';

/**
 * The key server without HTTP: exchange, revocation, introspection, admin
 * calls, and `authorize` — the check the data plane runs on every request.
 * Each refusal is one wire code plus an audit line with the real reason.
 */

export interface KeyServerDeps {
  config: GatewayConfig;
  store: TokenStore;
  verifier: Verifier;
  audit: AuditLog;
  secrets: SecretResolver;
  clock?: () => number;
  logger?: Logger | undefined;
  metrics?: GatewayMetrics | undefined;
}

export interface ExchangeParams {
  grant_type?: string | undefined;
  subject_token?: string | undefined;
  subject_token_type?: string | undefined;
  scope?: string | undefined;
}

export type Refusal = { ok: false; error: WireErrorCode; retryAfterSecs?: number };
export type ExchangeResult = { ok: true; body: TokenResponse } | Refusal;

export type Principal =
  | { kind: 'static'; name: string; scopes: Scopes }
  | { kind: 'token'; record: TokenRecord; scopes: Scopes };

export type AuthorizeResult = { ok: true; principal: Principal } | Refusal;

export type AdminCheck = 'ok' | 'unauthorized' | 'admin_not_configured';

export interface Introspection {
  active: boolean;
  sub?: string;
  iss?: string;
  scope?: string;
  exp?: number;
  iat?: number;
  jti?: string;
  token_type?: 'Bearer';
}

export interface KeyServer {
  exchange(params: ExchangeParams, clientIp?: string): Promise<ExchangeResult>;
  revokeSelf(token: string, clientIp?: string): Promise<void>;
  introspect(token: string): Promise<Introspection>;
  checkAdmin(authorization: string | undefined): Promise<AdminCheck>;
  revokeJti(jti: string, clientIp?: string): Promise<TokenRecord | undefined>;
  revokeSubject(sub: string, iss?: string, clientIp?: string): Promise<TokenRecord[]>;
  listSubject(sub: string, iss?: string): Promise<TokenRecord[]>;
  authorize(authorization: string | undefined, clientIp?: string): Promise<AuthorizeResult>;
  /** A data-plane call outside the caller's scopes (audited for tokens). */
  refusedScope(principal: Principal, reason: string, clientIp?: string): void;
  /** An exchange refused before its parameters could be read (content type, size, repeats). */
  refusedAtEdge(reason: string, clientIp?: string): void;
  /** Audit lines for records the reaper dropped. */
  expired(records: TokenRecord[]): void;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest();

export function bearerOf(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  return match?.[1];
}

export function createKeyServer(deps: KeyServerDeps): KeyServer {
  const { config, store, verifier, secrets } = deps;
  const ks = config.key_server;
  const clock = deps.clock ?? Date.now;
  const issueLimiter = createRateLimiter(store, 'issue');
  const useLimiter = createRateLimiter(store, 'use');
  const staticDigests = new Map<string, { value: string; digest: Buffer }>();
  let adminDigest: { value: string; digest: Buffer } | undefined;

  const audit = (event: AuditEvent) => {
    deps.audit.emit(event);
    deps.metrics?.audit.inc({ event: event.event, reason: event.reason ?? '' });
  };
  const identityOf = (record: { iss: string; sub: string; email?: string | undefined }) => ({
    iss: record.iss,
    sub: record.sub,
    ...(record.email ? { email: record.email } : {}),
  });
  const refuse = (
    error: WireErrorCode,
    event: AuditEvent['event'],
    reason: string,
    extra: Partial<AuditEvent> = {},
    retryAfterSecs?: number,
  ): Refusal => {
    audit({ event, reason, ...extra });
    return retryAfterSecs === undefined ? { ok: false, error } : { ok: false, error, retryAfterSecs };
  };

  const exchange = async (params: ExchangeParams, clientIp?: string): Promise<ExchangeResult> => {
    const at = { client_ip: clientIp };
    if (!params.grant_type) return refuse('invalid_request', 'token.invalid', 'missing_grant_type', at);
    if (params.grant_type !== GRANT_TOKEN_EXCHANGE) {
      return refuse('unsupported_grant_type', 'token.invalid', 'unsupported_grant_type', at);
    }
    if (!params.subject_token) return refuse('invalid_request', 'token.invalid', 'missing_subject_token', at);
    if (params.subject_token_type !== TOKEN_TYPE_ID_TOKEN && params.subject_token_type !== TOKEN_TYPE_JWT) {
      return refuse('invalid_request', 'token.invalid', 'subject_token_type', at);
    }
    let identity: Awaited<ReturnType<Verifier['verify']>>;
    try {
      identity = await verifier.verify(params.subject_token);
    } catch (error) {
      if (error instanceof VerifyError) {
        return refuse('invalid_token', 'token.invalid', error.reason, { ...at, status: 401 });
      }
      if (error instanceof IssuerUnavailableError) {
        deps.logger?.warn({ issuer: error.issuer, reason: causes(error) }, 'issuer keys unavailable: answered 503');
        return refuse('temporarily_unavailable', 'token.denied', 'issuer_unavailable', { ...at, status: 503 });
      }
      throw error;
    }
    const who = { identity: identityOf(identity), ...at };
    const now = clock();
    const identityKey = `${identity.iss.length}:${identity.iss}${identity.sub}`;
    const rate = await issueLimiter.check(identityKey, ks.issue_rate_limit, now);
    if (!rate.allowed) {
      return refuse('rate_limited', 'token.denied', 'issue_rate_limited', { ...who, status: 429 }, rate.retryAfterSecs);
    }
    const policy = matchPolicy(ks.policies, identity);
    if (!policy) return refuse('access_denied', 'token.denied', 'no_policy', { ...who, status: 403 });
    const narrowed = narrowScopes(policy.scopes, parseScope(params.scope));
    if (!narrowed.ok) return refuse('access_denied', 'token.denied', 'scope_widening', { ...who, status: 403 });
    const { scopes } = narrowed;
    const { token, digest } = mintToken();
    const record: TokenRecord = {
      digest,
      jti: newJti(),
      iss: identity.iss,
      sub: identity.sub,
      email: identity.email,
      scopes,
      scope: formatScope(scopes),
      issued_at: now,
      expires_at: now + ks.token_ttl_ms,
      client_ip: clientIp,
    };
    const put = await store.put(record, { maxPerIdentity: ks.max_tokens_per_identity, onCap: ks.on_token_cap, now });
    if (!put.ok) return refuse('too_many_tokens', 'token.denied', 'token_cap', { ...who, status: 429 });
    for (const old of put.evicted) {
      audit({ event: 'token.revoked', reason: 'evicted_oldest', identity: identityOf(old), jti: old.jti, ...at });
    }
    audit({
      event: 'token.issued',
      ...who,
      jti: record.jti,
      scope: record.scope,
      scopes,
      reason: `policy:${policy.name}`,
      expires_at: new Date(record.expires_at).toISOString(),
    });
    return {
      ok: true,
      body: {
        access_token: token,
        token_type: 'Bearer',
        expires_in: Math.round(ks.token_ttl_ms / 1000),
        scope: record.scope,
        jti: record.jti,
      },
    };
  };

  const staticKeys = async (): Promise<Array<{ name: string; scopes: Scopes; digest: Buffer }>> => {
    const out: Array<{ name: string; scopes: Scopes; digest: Buffer }> = [];
    for (const [index, entry] of config.auth.api_keys.entries()) {
      let value: string;
      try {
        value = await secrets.resolve(entry.key, `auth.api_keys[${index}]`);
      } catch (error) {
        deps.logger?.warn({ key: entry.name, err: error }, 'static API key unavailable');
        continue;
      }
      let cached = staticDigests.get(entry.name);
      if (cached?.value !== value) {
        cached = { value, digest: sha256(value) };
        staticDigests.set(entry.name, cached);
      }
      out.push({ name: entry.name, scopes: entry.scopes, digest: cached.digest });
    }
    return out;
  };

  const authorize = async (authorization: string | undefined, clientIp?: string): Promise<AuthorizeResult> => {
    const bearer = bearerOf(authorization);
    if (!bearer) return { ok: false, error: 'invalid_token' };
    const now = clock();
    if (config.auth.api_keys.length > 0) {
      const presented = sha256(bearer);
      let found: { name: string; scopes: Scopes } | undefined;
      // Compare with every key, matched or not, so timing says nothing about which.
      for (const key of await staticKeys()) if (timingSafeEqual(presented, key.digest)) found ??= key;
      if (found) {
        const rate = await useLimiter.check(`static:${found.name}`, found.scopes.rate_limit, now);
        if (!rate.allowed) return { ok: false, error: 'rate_limited', retryAfterSecs: rate.retryAfterSecs };
        return { ok: true, principal: { kind: 'static', name: found.name, scopes: found.scopes } };
      }
    }
    if (!looksLikeToken(bearer))
      return refuse('invalid_token', 'token.invalid', 'not_a_token', { client_ip: clientIp });
    const record = await store.getByDigest(digestToken(bearer), now);
    if (!record) return refuse('invalid_token', 'token.invalid', 'unknown_token', { client_ip: clientIp });
    const who = { identity: identityOf(record), jti: record.jti, client_ip: clientIp };
    if (record.expires_at <= now) return refuse('invalid_token', 'token.expired', 'expired', who);
    const identityKey = `${record.iss.length}:${record.iss}${record.sub}`;
    const rate = await useLimiter.check(identityKey, record.scopes.rate_limit, now);
    if (!rate.allowed) return refuse('rate_limited', 'token.denied', 'use_rate_limited', who, rate.retryAfterSecs);
    audit({ event: 'token.used', ...who });
    return { ok: true, principal: { kind: 'token', record, scopes: record.scopes } };
  };

  return {
    exchange,
    authorize,
    async revokeSelf(token, clientIp) {
      if (!looksLikeToken(token)) return;
      const record = await store.revokeByDigest(digestToken(token), clock());
      if (record) {
        audit({
          event: 'token.revoked',
          reason: 'self',
          identity: identityOf(record),
          jti: record.jti,
          client_ip: clientIp,
        });
      }
    },
    async introspect(token) {
      if (!looksLikeToken(token)) return { active: false };
      const now = clock();
      const record = await store.getByDigest(digestToken(token), now);
      if (!record || record.expires_at <= now) return { active: false };
      return {
        active: true,
        sub: record.sub,
        iss: record.iss,
        scope: record.scope,
        exp: Math.floor(record.expires_at / 1000),
        iat: Math.floor(record.issued_at / 1000),
        jti: record.jti,
        token_type: 'Bearer',
      };
    },
    async checkAdmin(authorization) {
      if (!ks.admin_token) return 'admin_not_configured';
      let expected: string;
      try {
        expected = await secrets.resolve(ks.admin_token, 'key_server.admin_token');
      } catch (error) {
        deps.logger?.error({ err: error }, 'key_server.admin_token cannot be resolved; admin endpoints are disabled');
        return 'admin_not_configured';
      }
      const presented = bearerOf(authorization);
      if (presented === undefined) return 'unauthorized';
      if (adminDigest?.value !== expected) adminDigest = { value: expected, digest: sha256(expected) };
      return timingSafeEqual(sha256(presented), adminDigest.digest) ? 'ok' : 'unauthorized';
    },
    async revokeJti(jti, clientIp) {
      const record = await store.revokeByJti(jti, clock());
      if (record) {
        audit({
          event: 'token.revoked',
          reason: 'admin',
          identity: identityOf(record),
          jti: record.jti,
          client_ip: clientIp,
        });
      }
      return record;
    },
    async revokeSubject(sub, iss, clientIp) {
      const records = await store.revokeBySubject(sub, clock(), iss);
      for (const record of records) {
        audit({
          event: 'token.revoked',
          reason: 'admin_subject',
          identity: identityOf(record),
          jti: record.jti,
          client_ip: clientIp,
        });
      }
      return records;
    },
    listSubject(sub, iss) {
      return store.listBySubject(sub, clock(), iss);
    },
    refusedScope(principal, reason, clientIp) {
      if (principal.kind !== 'token') return;
      const { record } = principal;
      audit({
        event: 'token.denied',
        reason,
        identity: identityOf(record),
        jti: record.jti,
        client_ip: clientIp,
        status: 403,
      });
    },
    refusedAtEdge(reason, clientIp) {
      audit({ event: 'token.invalid', reason: `request_${reason}`, client_ip: clientIp });
    },
    expired(records) {
      for (const record of records) audit({ event: 'token.expired', identity: identityOf(record), jti: record.jti });
    },
  };
}
