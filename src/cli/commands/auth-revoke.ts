import { connect, revoke } from '../../auth/oidc.js';
import { providerForProfile } from '../../auth/providers.js';
import { loadRefreshToken } from '../../auth/refresh-store.js';
import type { ProfileRecord } from '../../auth/token-cache.js';
import { readConfig } from '../../config/config-file.js';
import type { CliContext } from '../context.js';
import { notice } from '../output.js';

/**
 * `logout --revoke`: revoke the refresh token (which ends the whole grant at
 * most IdPs), else the access token, at the IdP's RFC 7009 endpoint. A
 * failure stops the logout, so tokens are never forgotten locally while
 * still alive at the IdP without the user knowing.
 */
export async function revokeProfile(ctx: CliContext, name: string, profile: ProfileRecord): Promise<void> {
  // A CI profile holds nothing the IdP could revoke (its gateway token is revoked by logout itself).
  if (!profile.refresh_token && !profile.access_token) return;
  const config = await readConfig(ctx.home);
  const oidc = await connect(
    providerForProfile(profile, { home: ctx.home, env: ctx.env, oidcProviders: config.oidc_providers }),
    {
      home: ctx.home,
      env: ctx.env,
    },
  );
  const refreshToken = profile.refresh_token
    ? await loadRefreshToken(profile.refresh_token, name).catch(() => undefined)
    : undefined;
  const token = refreshToken ?? profile.access_token;
  if (!token) return;
  const done = await revoke(oidc, token, refreshToken ? 'refresh_token' : 'access_token');
  if (done)
    notice(
      ctx,
      `Revoked the ${refreshToken ? 'refresh' : 'access'} token of ${name} at ${new URL(profile.issuer).host}.`,
    );
  else
    notice(
      ctx,
      `${new URL(profile.issuer).host} offers no revocation endpoint; the tokens of ${name} are only removed here.`,
    );
}
