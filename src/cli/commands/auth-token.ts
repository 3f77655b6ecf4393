import { isFresh, readTokenFile, requireProfile } from '../../auth/token-cache.js';
import { resolveHome } from '../../config/home.js';
import type { CliContext } from '../context.js';
import { print, warn } from '../output.js';

interface TokenOptions {
  idToken?: boolean;
  minValid: number;
  keyring?: boolean;
}

/**
 * `llmc auth token`. The common case — a cached token valid for longer than
 * --min-valid — reads token.json and prints; nothing of openid-client, jose
 * or the keychain is loaded. Only a refresh imports that machinery.
 */
export async function token(ctx: CliContext, options: TokenOptions): Promise<void> {
  const kind = options.idToken ? 'id' : 'access';
  const { profile } = requireProfile(await readTokenFile(ctx.home), ctx.profile);
  if (isFresh(profile, kind, options.minValid)) {
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
      minValidS: options.minValid,
      keyring: keyringWanted(ctx.env, options.keyring),
    });
    if (fresh.fallbackReason) {
      warn(
        ctx,
        `the OS keychain is not available (${fresh.fallbackReason}); the refresh token is now kept in token.json (0600)`,
      );
    }
    print(ctx, (kind === 'id' ? fresh.profile.id_token : fresh.profile.access_token) ?? '');
  } catch (error) {
    // A refresh that fails while the cached token still works: keep serving it (ARCHITECTURE §5).
    const current = requireProfile(await readTokenFile(ctx.home), ctx.profile).profile;
    if (!isFresh(current, kind, 1)) throw error;
    warn(ctx, `could not refresh (${(error as Error).message}); printing the cached token, which is still valid`);
    print(ctx, (kind === 'id' ? current.id_token : current.access_token) ?? '');
  }
}

/** The `--min-valid` default (tree/auth.ts declares the same). */
export const DEFAULT_MIN_VALID_S = 60;

/**
 * `llmc auth token [--id-token]` with no other flags, answered before the
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
  if (argv.length !== 2 && !idToken) return undefined;
  try {
    const file = await readTokenFile(resolveHome({ env }));
    const { profile } = requireProfile(file, env.LLMC_PROFILE || undefined);
    const kind = idToken ? 'id' : 'access';
    if (!isFresh(profile, kind, DEFAULT_MIN_VALID_S)) return undefined;
    process.stdout.write(`${(kind === 'id' ? profile.id_token : profile.access_token) ?? ''}\n`);
    return 0;
  } catch {
    return undefined; // the full command path reports it
  }
}
