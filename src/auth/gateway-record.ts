import { isObject } from '../config/paths.js';
import type { GatewayTokenRecord } from './gateway-exchange.js';
import { nowIso, type ProfileRecord } from './token-cache.js';

/**
 * The gateway parts of a token.json profile, read without any heavy import
 * (this module is on the `llmc auth token --gateway` fast path):
 *
 * - `gateway`: the `mcpgw_` token exactly as ARCHITECTURE §3 lists it
 *   (`{url, access_token, token_type, expires_at, scope, jti}`);
 * - `gateway_request`: what this profile asks the gateway for and when the
 *   current token was issued — `{url, scope?, issued_at?, jti?}`. `scope` is
 *   the narrowing asked for (absent: everything the policy allows), and
 *   `issued_at` + `jti` give the token's lifetime, which places the
 *   re-exchange window; they count only while `jti` matches the token's.
 */

export interface GatewayRequest {
  url: string;
  scope?: string | undefined;
  issued_at?: string | undefined;
  jti?: string | undefined;
}

/** The profile's gateway token, when it has a well-formed one. */
export function gatewayRecordOf(profile: ProfileRecord): GatewayTokenRecord | undefined {
  const value = profile.gateway;
  if (!isObject(value)) return undefined;
  const { url, access_token, token_type, expires_at, scope, jti } = value;
  if (typeof url !== 'string' || typeof access_token !== 'string' || access_token === '') return undefined;
  if (typeof expires_at !== 'string' || Number.isNaN(Date.parse(expires_at))) return undefined;
  return {
    url,
    access_token,
    token_type: typeof token_type === 'string' ? token_type : 'Bearer',
    expires_at,
    scope: typeof scope === 'string' ? scope : '',
    jti: typeof jti === 'string' ? jti : undefined,
  };
}

export function gatewayRequestOf(profile: ProfileRecord): GatewayRequest | undefined {
  const value = profile.gateway_request;
  if (!isObject(value) || typeof value.url !== 'string' || value.url === '') return undefined;
  const text = (key: string) => (typeof value[key] === 'string' ? (value[key] as string) : undefined);
  return { url: value.url, scope: text('scope'), issued_at: text('issued_at'), jti: text('jti') };
}

/**
 * How long before expiry the token is renewed. An explicit `--min-valid`
 * wins; by default it is 20 % of the token's lifetime but at least 60 s
 * (ARCHITECTURE §5), and never more than half the lifetime, so that a
 * gateway with a very short `token_ttl` still hands out reusable tokens.
 */
export function gatewayWindowS(
  record: GatewayTokenRecord,
  request: GatewayRequest | undefined,
  minValidS: number | undefined,
  defaultMinValidS = 60,
): number {
  if (minValidS !== undefined) return minValidS;
  const issued = request?.jti !== undefined && request.jti === record.jti ? Date.parse(request.issued_at ?? '') : NaN;
  const expires = Date.parse(record.expires_at);
  if (!Number.isFinite(issued) || issued >= expires) return defaultMinValidS;
  const lifetimeS = (expires - issued) / 1000;
  return Math.min(Math.max(defaultMinValidS, lifetimeS * 0.2), lifetimeS / 2);
}

/** Whether the cached gateway token can be handed out as it is. */
export function gatewayTokenUsable(
  profile: ProfileRecord,
  options: { minValidS?: number | undefined; now?: number },
): GatewayTokenRecord | undefined {
  const record = gatewayRecordOf(profile);
  if (!record) return undefined;
  const request = gatewayRequestOf(profile);
  // A login to another gateway whose exchange failed: the old token is not for it.
  if (request && request.url !== record.url) return undefined;
  const leftS = (Date.parse(record.expires_at) - (options.now ?? Date.now())) / 1000;
  return leftS >= gatewayWindowS(record, request, options.minValidS) ? record : undefined;
}

/** `backends:b,a tools:x` → `backends:a,b tools:x`: scopes compare by content, not spelling. */
export function canonicalScope(scope: string | undefined): string | undefined {
  if (scope === undefined) return undefined;
  const parts = new Map<string, Set<string>>();
  for (const part of scope.split(/\s+/)) {
    const colon = part.indexOf(':');
    if (colon <= 0) continue;
    const names = part
      .slice(colon + 1)
      .split(',')
      .filter(Boolean);
    if (names.length === 0) continue;
    const kind = part.slice(0, colon);
    parts.set(kind, new Set([...(parts.get(kind) ?? []), ...names]));
  }
  const text = [...parts.keys()]
    .sort()
    .map((kind) => `${kind}:${[...(parts.get(kind) ?? [])].sort().join(',')}`)
    .join(' ');
  return text === '' ? undefined : text;
}

/** The profile with a new gateway token and the request that produced it. */
export function withGatewayToken(
  profile: ProfileRecord,
  record: GatewayTokenRecord,
  scope: string | undefined,
): ProfileRecord {
  const request: GatewayRequest = {
    url: record.url,
    ...(scope ? { scope } : {}),
    issued_at: nowIso(),
    ...(record.jti ? { jti: record.jti } : {}),
  };
  const gateway = {
    url: record.url,
    access_token: record.access_token,
    token_type: record.token_type,
    expires_at: record.expires_at.replace(/\.\d{3}Z$/, 'Z'),
    scope: record.scope,
    ...(record.jti ? { jti: record.jti } : {}),
  };
  return { ...profile, gateway, gateway_request: request, updated_at: nowIso() };
}

/** The profile without its gateway token (the request, i.e. which gateway, stays unless `forget`). */
export function withoutGatewayToken(profile: ProfileRecord, forget = false): ProfileRecord {
  const { gateway: _token, gateway_request: request, ...rest } = profile;
  return { ...rest, ...(forget || !request ? {} : { gateway_request: request }), updated_at: nowIso() };
}
