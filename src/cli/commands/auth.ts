import { gatewayRecordOf, gatewayRequestOf, withoutGatewayToken } from '../../auth/gateway-record.js';
import { deleteRefreshToken } from '../../auth/refresh-store.js';
import {
  type ProfileRecord,
  readTokenFile,
  requireProfile,
  secondsLeft,
  selectProfileName,
  type TokenFile,
  tokenPath,
  updateTokenFile,
} from '../../auth/token-cache.js';
import { LlmcError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { notice, paint, print, printJson, warn } from '../output.js';

/** "in 59m (2026-11-25T13:00:00Z)" / "expired 3m ago (…)" */
export function describeExpiry(at: string | undefined, now = Date.now()): string {
  const left = secondsLeft(at, now);
  if (left === undefined || !at) return 'unknown';
  return left >= 0 ? `valid for ${duration(left)} (until ${at})` : `expired ${duration(-left)} ago (at ${at})`;
}

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86_400)}d ${Math.floor((seconds % 86_400) / 3600)}h`;
}

function refreshLocation(home: string, profile: ProfileRecord): string {
  const ref = profile.refresh_token;
  if (!ref) return 'none (log in again when the access token expires)';
  return ref.store === 'keyring' ? `OS keychain (${ref.ref})` : `${tokenPath(home)} (file, mode 0600)`;
}

function statusJson(home: string, name: string, profile: ProfileRecord, isDefault: boolean, now: number) {
  return {
    profile: name,
    default: isDefault,
    provider: profile.provider,
    issuer: profile.issuer,
    client_id: profile.client_id,
    subject: profile.subject,
    email: profile.email ?? null,
    email_verified: profile.email_verified ?? null,
    name: profile.name ?? null,
    groups: profile.groups ?? [],
    domain: profile.domain ?? null,
    scope: profile.scope ?? null,
    access_token_expires_at: profile.access_token_expires_at ?? null,
    access_token_expires_in_s: secondsLeft(profile.access_token_expires_at, now) ?? null,
    id_token_expires_at: profile.id_token_expires_at ?? null,
    id_token_expires_in_s: secondsLeft(profile.id_token_expires_at, now) ?? null,
    refresh_token: profile.refresh_token
      ? profile.refresh_token.store === 'keyring'
        ? { store: 'keyring', ref: profile.refresh_token.ref }
        : { store: 'file', path: tokenPath(home) }
      : null,
    gateway: gatewayStatus(profile, now),
    ci: profile.ci ?? null,
    updated_at: profile.updated_at,
  };
}

/** The gateway token as `auth status` shows it: where, until when, which scope — never the token. */
function gatewayStatus(profile: ProfileRecord, now: number) {
  const record = gatewayRecordOf(profile);
  const request = gatewayRequestOf(profile);
  if (!record && !request) return null;
  return {
    url: request?.url ?? record?.url ?? null,
    expires_at: record?.expires_at ?? null,
    expires_in_s: secondsLeft(record?.expires_at, now) ?? null,
    scope: record?.scope ?? null,
    requested_scope: request?.scope ?? null,
    jti: record?.jti ?? null,
  };
}

function ciLabel(ci: unknown): string {
  const source = ci as { kind?: string; audience?: string; variable?: string; path?: string };
  if (source.kind === 'github-actions') return `GitHub Actions OIDC token, audience ${source.audience}`;
  if (source.kind === 'env') return `$${source.variable}`;
  if (source.kind === 'file') return `file ${source.path}`;
  return 'unknown';
}

export async function status(ctx: CliContext): Promise<number> {
  const file = await readTokenFile(ctx.home);
  const selected = ctx.profile ? [requireProfile(file, ctx.profile).name] : Object.keys(file?.profiles ?? {});
  if (!file || selected.length === 0) {
    throw new LlmcError('ERR_LOGIN_REQUIRED', 'not logged in', { hint: 'run llmc auth login' });
  }
  const now = Date.now();
  const current = selectProfileName(file, undefined);
  if (ctx.json) {
    printJson(ctx, {
      default_profile: file.default_profile ?? null,
      profiles: selected.map((name) =>
        statusJson(ctx.home, name, file.profiles[name] as ProfileRecord, name === current, now),
      ),
    });
    return 0;
  }
  for (const [index, name] of selected.entries()) {
    const profile = file.profiles[name] as ProfileRecord;
    if (index > 0) print(ctx);
    // A CI identity has a name (repository@ref) but no email: show it bare, not in parentheses.
    const who = profile.email
      ? [profile.email, profile.name && profile.name !== profile.email ? `(${profile.name})` : undefined]
          .filter(Boolean)
          .join(' ')
      : profile.name;
    print(ctx, `${paint(ctx, 'bold', name)}${name === current ? ' (default)' : ''}`);
    print(ctx, `  user:           ${who || profile.subject}  subject ${profile.subject}`);
    print(ctx, `  issuer:         ${profile.issuer} (provider ${profile.provider})`);
    if (profile.ci !== undefined) {
      print(ctx, `  id token from:  ${ciLabel(profile.ci)} (asked again for each exchange)`);
    } else {
      print(ctx, `  access token:   ${describeExpiry(profile.access_token_expires_at, now)}`);
      print(ctx, `  id token:       ${describeExpiry(profile.id_token_expires_at, now)}`);
      print(ctx, `  refresh token:  ${refreshLocation(ctx.home, profile)}`);
      if (profile.scope) print(ctx, `  scope:          ${profile.scope}`);
    }
    const gateway = gatewayStatus(profile, now);
    if (gateway) {
      print(ctx, `  gateway:        ${gateway.url}`);
      print(
        ctx,
        `  gateway token:  ${gateway.expires_at ? describeExpiry(gateway.expires_at, now) : 'none yet (llmc auth token --gateway gets one)'}`,
      );
      if (gateway.scope !== null) print(ctx, `  gateway scope:  ${gateway.scope || '(none)'}`);
    }
  }
  return 0;
}

interface LogoutOptions {
  all?: boolean;
  revoke?: boolean;
  gateway?: boolean;
}

export async function logout(ctx: CliContext, options: LogoutOptions): Promise<number> {
  const file = await readTokenFile(ctx.home);
  const names = options.all ? Object.keys(file?.profiles ?? {}) : [requireProfile(file, ctx.profile).name];
  if (names.length === 0) {
    notice(ctx, 'Not logged in; nothing to do.');
    return 0;
  }
  // Gateway tokens are revoked at the gateway on every logout (best effort): they are bearer tokens.
  await revokeGatewayTokens(ctx, names, file);
  if (options.gateway) {
    await updateTokenFile(ctx.home, (current) => {
      const profiles = { ...current.profiles };
      for (const name of names) {
        const profile = profiles[name];
        if (profile) profiles[name] = withoutGatewayToken(profile);
      }
      return { ...current, profiles };
    });
    if (ctx.json) printJson(ctx, { gateway_logged_out: names });
    else print(ctx, `${paint(ctx, 'green', '✓')} Forgot the gateway token of ${names.join(', ')}`);
    return 0;
  }
  if (options.revoke) {
    const { revokeProfile } = await import('./auth-revoke.js');
    for (const name of names) await revokeProfile(ctx, name, file?.profiles[name] as ProfileRecord);
  }
  const removed: ProfileRecord[] = [];
  await updateTokenFile(ctx.home, (current) => {
    const profiles = { ...current.profiles };
    for (const name of names) {
      const profile = profiles[name];
      if (profile) removed.push(profile);
      delete profiles[name];
    }
    const remaining = Object.keys(profiles);
    const defaultProfile =
      current.default_profile && profiles[current.default_profile] ? current.default_profile : remaining[0];
    return { version: current.version, ...(defaultProfile ? { default_profile: defaultProfile } : {}), profiles };
  });
  for (const profile of removed) await deleteRefreshToken(profile.refresh_token);
  if (ctx.json) printJson(ctx, { logged_out: names });
  else print(ctx, `${paint(ctx, 'green', '✓')} Logged out of ${names.join(', ')}`);
  return 0;
}

/** Best effort: a gateway that cannot be reached does not stop the logout; the token then just expires. */
async function revokeGatewayTokens(ctx: CliContext, names: string[], file: TokenFile | undefined): Promise<void> {
  const records = names.flatMap((name) => {
    const profile = file?.profiles[name];
    const record = profile ? gatewayRecordOf(profile) : undefined;
    return record ? [{ name, record }] : [];
  });
  if (records.length === 0) return;
  const { revokeGatewayToken } = await import('../../auth/gateway-exchange.js');
  for (const { name, record } of records) {
    const done = await revokeGatewayToken(record);
    const host = new URL(record.url).host;
    if (done.ok) notice(ctx, `Revoked the gateway token of ${name} at ${host}.`);
    else
      warn(
        ctx,
        `could not revoke the gateway token of ${name} at ${host} (${done.reason}); it is forgotten here and expires ${record.expires_at}`,
      );
  }
}
