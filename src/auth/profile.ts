import type { OidcClient, TokenResult } from './oidc.js';
import { expiresAt, nowIso, type ProfileRecord, type RefreshTokenRef } from './token-cache.js';

/** Without `expires_in` we assume an hour; the refresh on a 401 corrects a wrong guess. */
const DEFAULT_ACCESS_TTL_S = 3600;

/**
 * A token.json profile from a token response: absolute expiry times (never
 * relative `expires_in`), the normalized user, and where the refresh token
 * lives. Fields other commands added to the previous record (e.g. `gateway`)
 * are kept.
 */
export function profileFromTokens(
  providerName: string,
  oidc: OidcClient,
  result: TokenResult,
  refresh: RefreshTokenRef | undefined,
  previous?: ProfileRecord,
): ProfileRecord {
  const now = Date.now();
  const user = result.user;
  return {
    ...previous,
    provider: providerName,
    issuer: oidc.metadata.issuer,
    client_id: oidc.provider.client_id,
    subject: user.subject || result.claims.sub,
    email: user.email ?? previous?.email,
    email_verified: user.email_verified ?? previous?.email_verified,
    name: user.name ?? previous?.name,
    picture: user.picture ?? previous?.picture,
    groups: user.groups.length > 0 ? user.groups : previous?.groups,
    domain: user.domain ?? previous?.domain,
    id_token: result.id_token,
    id_token_expires_at: nowIso(result.claims.exp * 1000),
    access_token: result.access_token,
    access_token_expires_at: expiresAt(result.access_token_expires_in ?? DEFAULT_ACCESS_TTL_S, now),
    refresh_token: refresh,
    scope: result.scope ?? previous?.scope ?? oidc.provider.scopes.join(' '),
    client_secret_ref: oidc.provider.client_secret_ref,
    updated_at: nowIso(now),
  };
}
