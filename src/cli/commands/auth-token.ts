import { canonicalScope, gatewayRecordOf, gatewayRequestOf, gatewayTokenUsable } from '../../auth/gateway-record.js';
import { isFresh, readTokenFile, requireProfile } from '../../auth/token-cache.js';
import { resolveHome } from '../../config/home.js';
import { LlmcError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { print, warn } from '../output.js';

interface TokenOptions {
  idToken?: boolean;
  /** Absent: DEFAULT_MIN_VALID_S, or for --gateway a window from the token's lifetime. */
  minValid?: number;
  keyring?: boolean;
  gateway?: boolean;
  scope?: string;
}

/**
 * `llmc auth token`. The common case — a cached token valid for longer than
 * --min-valid — reads token.json and prints; nothing of openid-client, jose
 * or the keychain is loaded. Only a refresh imports that machinery.
 */
export async function token(ctx: CliContext, options: TokenOptions): Promise<void> {
  if (options.gateway) return gatewayToken(ctx, options);
  if (options.scope !== undefined) {
    throw new LlmcError('ERR_USAGE', '--scope goes with --gateway', {
      hint: 'add --gateway, e.g. `llmc auth token --gateway --scope "backends:openai tools:search"`',
    });
  }
  const kind = options.idToken ? 'id' : 'access';
  const minValid = options.minValid ?? DEFAULT_MIN_VALID_S;
  const { name, profile } = requireProfile(await readTokenFile(ctx.home), ctx.profile);
  if (profile.ci !== undefined) return ciToken(ctx, name, profile, kind);
  if (isFresh(profile, kind, minValid)) {
    print(ctx, (kind === 'id' ? profile.id_token : profile.access_token) ?? '');
    return;
  }
  const { ensureFresh } = await import('../../auth/refresh.js');
  const { keyringWanted } = await import('../../auth/refresh-store.js');
  try {
    const fresh = await ensureFresh({
      home: ctx.home,
      env: ctx.env,
      profile: ctx.profile,
      kind,
      minValidS: minValid,
      keyring: keyringWanted(ctx.env, options.keyring),
    });
    warnKeychainFallback(ctx, fresh.fallbackReason);
    print(ctx, (kind === 'id' ? fresh.profile.id_token : fresh.profile.access_token) ?? '');
  } catch (error) {
    // A refresh that fails while the cached token still works: keep serving it (ARCHITECTURE §5).
    const current = requireProfile(await readTokenFile(ctx.home), ctx.profile).profile;
    if (!isFresh(current, kind, 1)) throw error;
    warn(ctx, `could not refresh (${(error as Error).message}); printing the cached token, which is still valid`);
    print(ctx, (kind === 'id' ? current.id_token : current.access_token) ?? '');
  }
}

/** A refresh that had to move the refresh token out of the keychain says so. */
function warnKeychainFallback(ctx: CliContext, reason: string | undefined): void {
  if (reason) {
    warn(ctx, `the OS keychain is not available (${reason}); the refresh token is now kept in token.json (0600)`);
  }
}

/**
 * `auth token --gateway`: the profile's mcpgw_ token, re-exchanged when it
 * nears expiry (gateway-token.ts). A failed re-exchange while the cached
 * token still works prints the cached one, as a failed refresh does.
 */
async function gatewayToken(ctx: CliContext, options: TokenOptions): Promise<void> {
  if (options.idToken) {
    throw new LlmcError('ERR_USAGE', '--gateway cannot be combined with --id-token', {
      hint: 'pick one: --gateway prints the mcpgw_ token, --id-token the IdP id_token',
    });
  }
  // A usable cached token needs nothing else (the fast path in main.ts covers only the flag alone).
  const { profile } = requireProfile(await readTokenFile(ctx.home), ctx.profile);
  const request = gatewayRequestOf(profile);
  const cached = gatewayTokenUsable(profile, { minValidS: options.minValid });
  if (cached && (options.scope === undefined || canonicalScope(options.scope) === canonicalScope(request?.scope))) {
    print(ctx, cached.access_token);
    return;
  }
  const [{ ensureGatewayToken }, { keyringWanted }] = await Promise.all([
    import('../../auth/gateway-token.js'),
    import('../../auth/refresh-store.js'),
  ]);
  // config.json (conf + zod) only for a profile that never named its gateway.
  const defaultGateway =
    request || gatewayRecordOf(profile)
      ? undefined
      : (await (await import('../../config/config-file.js')).readConfig(ctx.home)).defaults?.gateway;
  try {
    const result = await ensureGatewayToken({
      home: ctx.home,
      env: ctx.env,
      profile: ctx.profile,
      scope: options.scope,
      minValidS: options.minValid,
      keyring: keyringWanted(ctx.env, options.keyring),
      defaultGateway,
    });
    warnKeychainFallback(ctx, result.fallbackReason);
    print(ctx, result.record.access_token);
  } catch (error) {
    if (options.scope !== undefined) throw error; // a different scope was asked for: the cached token is not it
    const latest = requireProfile(await readTokenFile(ctx.home), ctx.profile).profile;
    const current = gatewayTokenUsable(latest, { minValidS: 1 });
    if (!current) throw error;
    warn(
      ctx,
      `could not renew the gateway token (${(error as Error).message}); printing the cached one, which is still valid`,
    );
    print(ctx, current.access_token);
  }
}

/** A CI profile has no access token at the IdP; its id_token is asked of the CI each time. */
async function ciToken(
  ctx: CliContext,
  name: string,
  profile: Record<string, unknown>,
  kind: 'id' | 'access',
): Promise<void> {
  if (kind === 'access') {
    throw new LlmcError(
      'ERR_USAGE',
      `profile "${name}" is a CI identity: it has no access token, only a gateway token`,
      {
        hint: 'add --gateway to `llmc auth token` (or --id-token for the id_token of the CI)',
      },
    );
  }
  const [{ ciSourceOf }, { ciIdToken }] = await Promise.all([
    import('../../auth/gateway-token.js'),
    import('../../auth/ci.js'),
  ]);
  const source = ciSourceOf(profile as never);
  if (!source)
    throw new LlmcError('ERR_LOGIN_REQUIRED', `profile "${name}" has no CI id_token source`, {
      hint: 'run llmc auth login --provider ci …',
    });
  print(ctx, await ciIdToken(source, ctx.env));
}

/** The `--min-valid` default (tree/auth.ts declares the same). */
export const DEFAULT_MIN_VALID_S = 60;

/**
 * `llmc auth token [--id-token | --gateway]` with no other flags, answered before the
 * command tree is built (scripts and editors call it constantly). It handles
 * only the plain case — a cached token valid for the default window — and
 * returns undefined for anything else, including every error, so that the
 * full command runs and reports it with the usual message and exit code.
 */
export async function fastToken(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number | undefined> {
  const idToken = argv.length === 3 && argv[2] === '--id-token';
  const gateway = argv.length === 3 && argv[2] === '--gateway';
  if (argv.length !== 2 && !idToken && !gateway) return undefined;
  try {
    const file = await readTokenFile(resolveHome({ env }));
    const { profile } = requireProfile(file, env.LLMC_PROFILE || undefined);
    if (gateway) {
      const record = gatewayTokenUsable(profile, {});
      if (!record) return undefined;
      process.stdout.write(`${record.access_token}\n`);
      return 0;
    }
    if (profile.ci !== undefined) return undefined;
    const kind = idToken ? 'id' : 'access';
    if (!isFresh(profile, kind, DEFAULT_MIN_VALID_S)) return undefined;
    process.stdout.write(`${(kind === 'id' ? profile.id_token : profile.access_token) ?? ''}\n`);
    return 0;
  } catch {
    return undefined; // the full command path reports it
  }
}
