import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { type DocumentCacheStore, fetchCached, memoryDocumentStore } from '../config/http-cache.js';
import type { Logger } from '../observability/logger.js';
import type { IssuerConfig } from './config.js';

/**
 * Subject-token (id_token) verification for the key server. Only configured
 * issuers are trusted; their discovery document and JWKS are fetched over
 * https (http only with dev.allow_http_issuers), cached with ETag
 * revalidation, and re-fetched when a token names an unknown `kid` — at most
 * once per cool-down per issuer, so a flood of made-up kids cannot turn the
 * gateway into a JWKS hammer. Keys come only from that cached set: `jku`,
 * `x5u` and embedded `jwk` headers are never consulted.
 */

export interface VerifiedIdentity {
  iss: string;
  sub: string;
  email?: string | undefined;
  email_verified: boolean;
  /** From `hd`, else from a verified email; an unverified email has no domain. */
  domain?: string | undefined;
  groups: string[];
  claims: JWTPayload;
}

/** Why a token was refused — for audit lines and metrics only, never for the response. */
export type VerifyFailure =
  | 'malformed'
  | 'too_large'
  | 'algorithm'
  | 'unknown_issuer'
  | 'unknown_key'
  | 'signature'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'too_old'
  | 'audience'
  | 'issuer'
  | 'claims'
  | 'unsupported_header'
  | 'domain';

export class VerifyError extends Error {
  override readonly name = 'VerifyError';
  constructor(
    readonly reason: VerifyFailure,
    readonly issuer?: string,
    options?: { cause?: unknown },
  ) {
    super(`subject token refused: ${reason}`, options);
  }
}

/** The issuer's keys could not be had and none are cached: answer 503, never a token. */
export class IssuerUnavailableError extends Error {
  override readonly name = 'IssuerUnavailableError';
  constructor(
    readonly issuer: string,
    options?: { cause?: unknown },
  ) {
    super(`signing keys of ${issuer} are unavailable`, options);
  }
}

export interface VerifierOptions {
  issuers: IssuerConfig[];
  maxTokenAgeSecs: number;
  leewaySecs?: number;
  allowHttp?: boolean;
  /** Epoch ms; tokens are judged at this time. */
  clock?: () => number;
  documentStore?: DocumentCacheStore;
  fetch?: typeof fetch;
  /** How long a key set is used before it is revalidated (ETag) even when the server allowed longer. */
  refreshIntervalMs?: number;
  /** At most one forced JWKS refetch per issuer in this window (unknown `kid`). */
  unknownKidCooldownMs?: number;
  timeoutMs?: number;
  /** Longest accepted subject token, in characters. */
  maxTokenLength?: number;
  logger?: Logger | undefined;
}

export interface Verifier {
  verify(token: string): Promise<VerifiedIdentity>;
  /** Fetch every issuer's keys now (at start); failures are logged, not thrown. */
  warm(): Promise<void>;
}

interface IssuerState {
  config: IssuerConfig;
  keySet?: JWTVerifyGetKey;
  jwksBody?: string;
  checkedAt: number;
  forcedAt: number;
  /** After a failed refresh, the next one waits until then (the cached keys serve meanwhile). */
  retryAt: number;
  inflight?: Promise<void> | undefined;
}

export function createVerifier(options: VerifierOptions): Verifier {
  const clock = options.clock ?? Date.now;
  const store = options.documentStore ?? memoryDocumentStore();
  const leeway = options.leewaySecs ?? 60;
  const refreshMs = options.refreshIntervalMs ?? 600_000;
  const cooldownMs = options.unknownKidCooldownMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxLength = options.maxTokenLength ?? 16_384;
  const states = new Map<string, IssuerState>(
    options.issuers.map((config) => [
      config.issuer,
      { config, checkedAt: 0, forcedAt: Number.NEGATIVE_INFINITY, retryAt: 0 },
    ]),
  );

  const checkScheme = (url: string, issuer: string) => {
    const protocol = new URL(url).protocol;
    if (protocol === 'https:' || (protocol === 'http:' && options.allowHttp)) return;
    throw new IssuerUnavailableError(issuer, { cause: new Error(`refusing non-https URL ${url}`) });
  };

  const get = async (url: string, issuer: string, revalidate: boolean): Promise<string> => {
    checkScheme(url, issuer);
    const fetchOptions = { store, revalidate, timeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) };
    const result = await fetchCached(url, fetchOptions);
    options.logger?.debug({ issuer, url, outcome: result.outcome }, 'issuer document');
    return result.body;
  };

  const jwksUri = async (state: IssuerState, revalidate: boolean): Promise<string> => {
    const { config } = state;
    const base = config.issuer.replace(/\/+$/, '');
    if (config.jwks_uri) return config.jwks_uri;
    if (!config.auto_discover) return `${base}/.well-known/jwks.json`;
    const url = config.discovery_url ?? `${base}/.well-known/openid-configuration`;
    const document = JSON.parse(await get(url, config.issuer, revalidate)) as { issuer?: unknown; jwks_uri?: unknown };
    if (document.issuer !== config.issuer) {
      throw new Error(`discovery document names issuer ${String(document.issuer)}, not ${config.issuer}`);
    }
    if (typeof document.jwks_uri !== 'string') throw new Error('discovery document has no jwks_uri');
    return document.jwks_uri;
  };

  const load = (state: IssuerState, force: boolean): Promise<void> => {
    state.inflight ??= (async () => {
      try {
        const body = await get(await jwksUri(state, force), state.config.issuer, force);
        if (body !== state.jwksBody) {
          state.keySet = createLocalJWKSet(JSON.parse(body) as JSONWebKeySet);
          state.jwksBody = body;
        }
        state.checkedAt = clock();
      } catch (error) {
        if (error instanceof IssuerUnavailableError) throw error;
        throw new IssuerUnavailableError(state.config.issuer, { cause: error });
      } finally {
        state.inflight = undefined;
      }
    })();
    return state.inflight;
  };

  const keysFor = async (state: IssuerState): Promise<JWTVerifyGetKey> => {
    if (!state.keySet) {
      await load(state, false);
    } else if (clock() - state.checkedAt > refreshMs && clock() >= state.retryAt) {
      // Revalidate (ETag) whatever max-age said: a key the issuer withdrew must stop working within refreshMs.
      await load(state, true).catch((error: unknown) => {
        // Not on every exchange: a failing issuer is not hammered, nor is each exchange held up by it.
        state.retryAt = clock() + cooldownMs;
        options.logger?.warn(
          { issuer: state.config.issuer, reason: causes(error) },
          'JWKS refresh failed; keeping cached keys',
        );
      });
    }
    if (!state.keySet) throw new IssuerUnavailableError(state.config.issuer);
    return state.keySet;
  };

  const verify = async (token: string): Promise<VerifiedIdentity> => {
    if (typeof token !== 'string' || token.length === 0) throw new VerifyError('malformed');
    if (token.length > maxLength) throw new VerifyError('too_large');
    if (token.split('.').length !== 3) throw new VerifyError('malformed');
    let header: ReturnType<typeof decodeProtectedHeader>;
    let unverified: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      unverified = decodeJwt(token);
    } catch (error) {
      throw new VerifyError('malformed', undefined, { cause: error });
    }
    const state = typeof unverified.iss === 'string' ? states.get(unverified.iss) : undefined;
    if (!state) throw new VerifyError('unknown_issuer');
    const { config } = state;
    if (typeof header.alg !== 'string' || !(config.algorithms as string[]).includes(header.alg)) {
      throw new VerifyError('algorithm', config.issuer);
    }
    await keysFor(state);
    const getKey: JWTVerifyGetKey = async (protectedHeader, flattened) => {
      // Only alg and kid choose a key, and only from the issuer's own set.
      const selector = { alg: protectedHeader.alg, ...(protectedHeader.kid ? { kid: protectedHeader.kid } : {}) };
      const keySet = state.keySet as JWTVerifyGetKey;
      try {
        return await keySet(selector, flattened);
      } catch (error) {
        const now = clock();
        if ((error as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY' || now - state.forcedAt < cooldownMs) {
          throw error;
        }
        state.forcedAt = now;
        await load(state, true);
        return (state.keySet as JWTVerifyGetKey)(selector, flattened);
      }
    };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        issuer: config.issuer,
        audience: config.audiences,
        algorithms: config.algorithms,
        clockTolerance: leeway,
        maxTokenAge: options.maxTokenAgeSecs,
        currentDate: new Date(clock()),
        requiredClaims: ['iat', 'exp', 'sub'],
      }));
    } catch (error) {
      if (error instanceof IssuerUnavailableError) throw error;
      throw new VerifyError(failureOf(error), config.issuer, { cause: error });
    }
    return identityFrom(payload, config);
  };

  return {
    verify,
    async warm() {
      await Promise.all(
        [...states.values()].map((state) =>
          load(state, false).catch((error: unknown) => {
            options.logger?.warn(
              { issuer: state.config.issuer, reason: causes(error) },
              'could not fetch issuer keys at start; exchanges for it answer 503 until they can be fetched',
            );
          }),
        ),
      );
    },
  };
}

/** "could not reach …: getaddrinfo ENOTFOUND …" — the messages of a cause chain, for one log line. */
export function causes(error: unknown): string {
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 6; depth++) {
    if (!messages.includes(current.message)) messages.push(current.message);
    current = current.cause;
  }
  return messages.join(': ');
}

function failureOf(error: unknown): VerifyFailure {
  const { code, claim, reason } = error as { code?: string; claim?: string; reason?: string };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return claim === 'iat' ? 'too_old' : 'expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (reason === 'missing' || reason === 'invalid') return 'claims';
      if (claim === 'nbf') return 'not_yet_valid';
      if (claim === 'iat') return 'issued_in_future';
      if (claim === 'aud') return 'audience';
      if (claim === 'iss') return 'issuer';
      return 'claims';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'signature';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'algorithm';
    case 'ERR_JOSE_NOT_SUPPORTED':
      return /extension header|crit/i.test((error as Error).message) ? 'unsupported_header' : 'algorithm';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
    case 'ERR_JWKS_INVALID':
    case 'ERR_JWK_INVALID':
      return 'unknown_key';
    default:
      return 'malformed';
  }
}

function identityFrom(payload: JWTPayload, config: IssuerConfig): VerifiedIdentity {
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub === '') throw new VerifyError('claims', config.issuer);
  const email = typeof payload.email === 'string' ? payload.email : undefined;
  const verified = payload.email_verified === true || payload.email_verified === 'true';
  const hd = typeof payload.hd === 'string' && payload.hd !== '' ? payload.hd.toLowerCase() : undefined;
  const at = email?.lastIndexOf('@') ?? -1;
  const emailDomain = email && verified && at > 0 ? email.slice(at + 1).toLowerCase() : undefined;
  const domain = hd ?? emailDomain;
  if (config.allowed_domains.length > 0 && (domain === undefined || !config.allowed_domains.includes(domain))) {
    throw new VerifyError('domain', config.issuer);
  }
  const groups = Array.isArray(payload.groups)
    ? payload.groups.filter((group): group is string => typeof group === 'string')
    : [];
  return { iss: config.issuer, sub, email, email_verified: verified, domain, groups, claims: payload };
}
