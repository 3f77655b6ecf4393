import { readConfig } from '../config/config-file.js';
import { LlmcError } from '../errors.js';
import { connect, refresh as refreshGrant } from './oidc.js';
import { profileFromTokens } from './profile.js';
import { providerForProfile } from './providers.js';
import { loadRefreshToken, replaceRefreshToken } from './refresh-store.js';
import {
  isFresh,
  loginRequired,
  type ProfileRecord,
  readTokenFile,
  requireProfile,
  type TokenFile,
  withTokenLock,
  writeTokenFile,
} from './token-cache.js';

/**
 * One refresher across processes: take the token.json lock, re-read, and
 * refresh only if the token is still not fresh enough — so ten commands
 * started together with an expired token send one refresh request, and the
 * nine that waited read the new token. A rotated refresh token is stored
 * (keychain first, then token.json, atomically) before the new access token
 * is handed to anyone.
 */

export interface EnsureFreshOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  profile?: string | undefined;
  kind: 'access' | 'id';
  minValidS: number;
  keyring: boolean;
}

export interface FreshToken {
  name: string;
  profile: ProfileRecord;
  refreshed: boolean;
  fallbackReason?: string | undefined;
}

export async function ensureFresh(options: EnsureFreshOptions): Promise<FreshToken> {
  return withTokenLock(options.home, async () => {
    const file = await readTokenFile(options.home);
    const { name, profile } = requireProfile(file, options.profile);
    if (isFresh(profile, options.kind, options.minValidS)) return { name, profile, refreshed: false };
    if (!profile.refresh_token) {
      throw loginRequired(
        `the ${options.kind === 'id' ? 'id' : 'access'} token of profile "${name}" has expired and there is no refresh token`,
        name,
      );
    }
    const next = await refreshLocked({ ...options, file, name, profile });
    if (!isFresh(next.profile, options.kind, Math.min(options.minValidS, 0))) {
      throw loginRequired(`the IdP returned a token that is already expired for profile "${name}"`, name);
    }
    return { name, ...next, refreshed: true };
  });
}

export interface RefreshLockedOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  keyring: boolean;
  file: TokenFile | undefined;
  name: string;
  profile: ProfileRecord;
}

/**
 * One refresh_token grant for `profile`, written to token.json. The caller
 * holds the token.json lock (ensureFresh, or the gateway re-exchange, which
 * needs a new id_token under the same lock) and has checked that a refresh
 * token exists.
 */
export async function refreshLocked(
  options: RefreshLockedOptions,
): Promise<{ profile: ProfileRecord; fallbackReason?: string | undefined }> {
  const { file, name, profile } = options;
  if (!profile.refresh_token) throw loginRequired(`profile "${name}" has no refresh token`, name);
  const refreshToken = await loadRefreshToken(profile.refresh_token, name);
  const config = await readConfig(options.home);
  const oidc = await connect(
    providerForProfile(profile, { home: options.home, env: options.env, oidcProviders: config.oidc_providers }),
    {
      home: options.home,
      env: options.env,
    },
  );
  let ref = profile.refresh_token;
  let fallbackReason: string | undefined;
  const withProfile = (record: ProfileRecord): TokenFile => ({
    ...(file ?? { version: 1 as const, profiles: {} }),
    profiles: { ...file?.profiles, [name]: record },
  });
  // The old refresh token is spent the moment the IdP rotates it: store the new one
  // (keychain, then token.json) before anything else can fail or be interrupted.
  const onRotated = async (rotated: string) => {
    const saved = await replaceRefreshToken(profile.refresh_token, name, rotated, { keyring: options.keyring });
    ref = saved.ref;
    fallbackReason = saved.fallbackReason;
    const unchanged =
      ref.store === 'keyring' && profile.refresh_token?.store === 'keyring' && ref.ref === profile.refresh_token.ref;
    if (!unchanged) await writeTokenFile(options.home, withProfile({ ...profile, refresh_token: ref }));
  };
  const result = await refreshGrant(oidc, refreshToken, {
    subject: profile.subject,
    id_token: profile.id_token,
    onRotated,
  });
  const next = profileFromTokens(profile.provider, oidc, result, ref, profile);
  if (!next.access_token)
    throw new LlmcError('ERR_OIDC_PROTOCOL', 'the refresh returned no access token', { hint: 'run llmc auth login' });
  await writeTokenFile(options.home, withProfile(next));
  return { profile: next, fallbackReason };
}
