import { isLlmcError, LlmcError } from '../errors.js';
import { type CiSource, ciIdToken } from './ci.js';
import { exchangeIdToken, type GatewayTokenRecord, gatewayBaseUrl } from './gateway-exchange.js';
import { canonicalScope, gatewayRequestOf, gatewayTokenUsable, withGatewayToken } from './gateway-record.js';
import {
  emptyTokenFile,
  loginRequired,
  type ProfileRecord,
  readTokenFile,
  requireProfile,
  type TokenFile,
  withTokenLock,
  writeTokenFile,
} from './token-cache.js';

/**
 * The profile's `mcpgw_` token, kept valid: reused while it is outside the
 * renewal window, else re-exchanged with an id_token the gateway will take.
 * The gateway refuses id_tokens older than `max_oidc_token_age_secs` (300 s
 * by default, judged by `iat`), so a cached id_token is reused only while it
 * is younger than ID_TOKEN_REUSE_S; otherwise the IdP is asked for a new one
 * through the refresh token first (or, for a CI profile, the CI's token
 * source). Everything happens under the token.json lock after a re-read, so
 * commands started together exchange once and the rest read the result.
 */

/** Reuse a cached id_token for an exchange only while it is younger than this (the gateway allows 300 s). */
export const ID_TOKEN_REUSE_S = 240;

export interface EnsureGatewayOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  profile?: string | undefined;
  /** `--scope`: the narrowing to ask for (sticks to the profile); '' asks for the full grant again. */
  scope?: string | undefined;
  /** An explicit `--min-valid`; absent means the lifetime-based window (gateway-record.ts). */
  minValidS?: number | undefined;
  keyring: boolean;
  /** config.json `defaults.gateway`, for a profile that never named one. */
  defaultGateway?: string | undefined;
}

export interface GatewayToken {
  name: string;
  record: GatewayTokenRecord;
  exchanged: boolean;
  /** The IdP was asked for a new id_token first. */
  refreshed: boolean;
  fallbackReason?: string | undefined;
}

export async function ensureGatewayToken(options: EnsureGatewayOptions): Promise<GatewayToken> {
  return withTokenLock(options.home, async () => {
    const file = await readTokenFile(options.home);
    const { name, profile } = requireProfile(file, options.profile);
    const request = gatewayRequestOf(profile);
    const url = request?.url ?? (profile.gateway as { url?: string } | undefined)?.url ?? options.defaultGateway;
    if (!url) {
      throw new LlmcError('ERR_LOGIN_REQUIRED', `profile "${name}" has no gateway`, {
        hint: `run llmc auth login --profile ${name} --gateway URL (or set one with llmc config set defaults.gateway URL)`,
      });
    }
    const base = gatewayBaseUrl(url);
    const scope = options.scope === undefined ? canonicalScope(request?.scope) : canonicalScope(options.scope);
    const cached = gatewayTokenUsable(profile, { minValidS: options.minValidS });
    if (cached && cached.url === base && scope === canonicalScope(request?.scope)) {
      return { name, record: cached, exchanged: false, refreshed: false };
    }
    const source = ciSourceOf(profile);
    let current: { file: TokenFile | undefined; profile: ProfileRecord } = { file, profile };
    let refreshed = false;
    let fallbackReason: string | undefined;
    const refresh = async (why: 'old' | 'refused') => {
      if (!current.profile.refresh_token) {
        throw loginRequired(
          why === 'old'
            ? `the id_token of profile "${name}" is too old for the gateway and there is no refresh token`
            : `the gateway did not accept the id_token of profile "${name}" and there is no refresh token`,
          name,
        );
      }
      const previous = current.profile.id_token;
      // Loaded only here: a CI profile or a young id_token never needs openid-client.
      const { refreshLocked } = await import('./refresh.js');
      const next = await refreshLocked({ ...options, file: current.file, name, profile: current.profile });
      refreshed = true;
      fallbackReason = next.fallbackReason ?? fallbackReason;
      current = { file: await readTokenFile(options.home), profile: next.profile };
      if (!next.profile.id_token || next.profile.id_token === previous) {
        throw loginRequired(
          `the IdP's refresh returned no new id_token, and the gateway takes only id_tokens younger than 5 minutes`,
          name,
        );
      }
      return next.profile.id_token;
    };

    let idToken: string;
    if (source) idToken = await ciIdToken(source, options.env);
    else if (idTokenReusable(current.profile.id_token)) idToken = current.profile.id_token as string;
    else idToken = await refresh('old');

    let record: GatewayTokenRecord;
    try {
      record = await exchangeIdToken({ gateway: base, idToken, scope });
    } catch (error) {
      // A gateway stricter than ID_TOKEN_REUSE_S: one retry with a brand-new id_token.
      const retry = isLlmcError(error) && error.code === 'ERR_LOGIN_REQUIRED' && !source && !refreshed;
      if (!retry || !current.profile.refresh_token) throw error;
      record = await exchangeIdToken({ gateway: base, idToken: await refresh('refused'), scope });
    }
    const latest = current.file ?? emptyTokenFile();
    const stored = latest.profiles[name] ?? current.profile;
    await writeTokenFile(options.home, {
      ...latest,
      profiles: { ...latest.profiles, [name]: withGatewayToken(stored, record, scope) },
    });
    return { name, record, exchanged: true, refreshed, fallbackReason };
  });
}

/** Exchange an id_token just obtained at login and store the result in the profile. */
export async function exchangeForProfile(options: {
  home: string;
  profile: string;
  gateway: string;
  idToken: string;
  scope?: string | undefined;
}): Promise<GatewayTokenRecord> {
  const scope = canonicalScope(options.scope);
  const record = await exchangeIdToken({ gateway: options.gateway, idToken: options.idToken, scope });
  await withTokenLock(options.home, async () => {
    const file = (await readTokenFile(options.home)) ?? emptyTokenFile();
    const profile = file.profiles[options.profile];
    if (!profile) throw loginRequired(`profile "${options.profile}" was removed during the login`, options.profile);
    await writeTokenFile(options.home, {
      ...file,
      profiles: { ...file.profiles, [options.profile]: withGatewayToken(profile, record, scope) },
    });
  });
  return record;
}

/** The CI token source recorded in a profile (`ci: {kind, audience|variable|path}`). */
export function ciSourceOf(profile: ProfileRecord): CiSource | undefined {
  const ci = profile.ci as Record<string, unknown> | undefined;
  if (typeof ci !== 'object' || ci === null) return undefined;
  if (ci.kind === 'github-actions' && typeof ci.audience === 'string') return { kind: ci.kind, audience: ci.audience };
  if (ci.kind === 'env' && typeof ci.variable === 'string') return { kind: ci.kind, variable: ci.variable };
  if (ci.kind === 'file' && typeof ci.path === 'string') return { kind: ci.kind, path: ci.path };
  throw new LlmcError('ERR_FILE_CORRUPT', 'the CI id_token source recorded in token.json is not understood', {
    hint: 'log in again with llmc auth login --provider github-actions|ci --gateway URL',
  });
}

/** Whether a cached id_token is young enough for the gateway (by `iat`) and not about to expire. */
export function idTokenReusable(idToken: string | undefined, now = Date.now()): boolean {
  if (!idToken) return false;
  try {
    const payload = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      iat?: unknown;
      exp?: unknown;
    };
    if (typeof payload.iat !== 'number' || typeof payload.exp !== 'number') return false;
    const nowS = now / 1000;
    return nowS - payload.iat < ID_TOKEN_REUSE_S && payload.exp - nowS > 30;
  } catch {
    return false;
  }
}
