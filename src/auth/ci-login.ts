import type { Keychain } from '../config/keychain.js';
import { type CiSource, ciIdToken, readClaims } from './ci.js';
import { exchangeIdToken, type GatewayTokenRecord } from './gateway-exchange.js';
import { canonicalScope, withGatewayToken } from './gateway-record.js';
import { deleteRefreshToken } from './refresh-store.js';
import { nowIso, type ProfileRecord, type RefreshTokenRef, updateTokenFile } from './token-cache.js';

/**
 * `llmc auth login --provider github-actions|ci --gateway URL`: the job's own
 * id_token, exchanged at the gateway. Nothing is written unless the exchange
 * succeeds, so a refused job leaves token.json as it was. The profile keeps
 * no id_token and no refresh token — only where the next id_token comes from
 * (`ci`), which `auth token --gateway` asks again when the gateway token nears
 * expiry.
 */

export interface CiLoginOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  provider: 'github-actions' | 'ci';
  profile: string;
  source: CiSource;
  gateway: string;
  scope?: string | undefined;
  /** Where a replaced profile's refresh token is removed from (tests inject one). */
  keychain?: Keychain;
}

export async function ciLogin(
  options: CiLoginOptions,
): Promise<{ profile: ProfileRecord; record: GatewayTokenRecord }> {
  const idToken = await ciIdToken(options.source, options.env);
  const claims = readClaims(idToken);
  const scope = canonicalScope(options.scope);
  const record = await exchangeIdToken({ gateway: options.gateway, idToken, scope });
  const audience = Array.isArray(claims.aud) ? String(claims.aud[0] ?? '') : String(claims.aud ?? '');
  const base: ProfileRecord = {
    provider: options.provider,
    issuer: claims.iss,
    client_id:
      options.source.kind === 'github-actions' ? options.source.audience : audience || claims.iss /* never empty */,
    subject: claims.sub,
    ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
    ...(ciName(claims) ? { name: ciName(claims) } : {}),
    ci: options.source,
    updated_at: nowIso(),
  };
  const profile = withGatewayToken(base, record, scope);
  let replaced: RefreshTokenRef | undefined;
  await updateTokenFile(options.home, (current) => {
    replaced = current.profiles[options.profile]?.refresh_token;
    return {
      ...current,
      default_profile: options.profile,
      profiles: { ...current.profiles, [options.profile]: profile },
    };
  });
  // A CI profile holds no refresh token: one left in the keychain by an earlier browser
  // login of this profile would be referenced by nothing, so no logout could remove it.
  await deleteRefreshToken(replaced, options.keychain);
  return { profile, record };
}

/** A readable label: GitHub's repository@ref, GitLab's project_path@ref, else nothing. */
function ciName(claims: Record<string, unknown>): string | undefined {
  const project = claims.repository ?? claims.project_path ?? claims.pipeline_slug;
  if (typeof project !== 'string') return undefined;
  const ref = typeof claims.ref === 'string' ? claims.ref : undefined;
  return ref ? `${project}@${ref}` : project;
}
