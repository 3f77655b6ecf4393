import { resolve } from 'node:path';
import { type CiSource, DEFAULT_CI_AUDIENCE } from '../../auth/ci.js';
import { ciLogin } from '../../auth/ci-login.js';
import type { GatewayTokenRecord } from '../../auth/gateway-exchange.js';
import { readTokenFile } from '../../auth/token-cache.js';
import { LlmcError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { paint, print, printJson } from '../output.js';
import { describeExpiry } from './auth.js';

export interface CiLoginFlags {
  provider: 'github-actions' | 'ci';
  gateway: string | undefined;
  audience?: string | undefined;
  idTokenEnv?: string | undefined;
  idTokenFile?: string | undefined;
  scope?: string | undefined;
}

/**
 * `llmc auth login --provider github-actions|ci`: no browser, no refresh
 * token. The id_token never appears on a command line: it comes from the
 * runner's token service, a variable named by --id-token-env, or a file.
 */
export async function loginCi(ctx: CliContext, flags: CiLoginFlags): Promise<number> {
  if (!flags.gateway) {
    throw new LlmcError('ERR_USAGE', `--provider ${flags.provider} needs --gateway URL`, {
      hint: 'a CI identity is only useful at a gateway: pass --gateway https://… (or set defaults.gateway in config.json)',
    });
  }
  const source = sourceOf(flags);
  // A corrupt or newer token.json stops us before any request (and is never overwritten).
  await readTokenFile(ctx.home);
  const name = ctx.profile ?? flags.provider;
  const { profile, record } = await ciLogin({
    home: ctx.home,
    env: ctx.env,
    provider: flags.provider,
    profile: name,
    source,
    gateway: flags.gateway,
    scope: flags.scope,
  });
  if (ctx.json) {
    printJson(ctx, {
      profile: name,
      provider: profile.provider,
      issuer: profile.issuer,
      subject: profile.subject,
      ci: source,
      gateway: gatewaySummary(record),
    });
  } else {
    print(
      ctx,
      `${paint(ctx, 'green', '✓')} Logged in to ${new URL(record.url).host} as ${profile.subject} (profile ${name}, from ${new URL(profile.issuer).host})`,
    );
    print(
      ctx,
      `  gateway token ${describeExpiry(record.expires_at.replace(/\.\d{3}Z$/, 'Z'))}, scope ${record.scope || '(none)'}`,
    );
  }
  return 0;
}

function sourceOf(flags: CiLoginFlags): CiSource {
  if (flags.provider === 'github-actions') {
    if (flags.idTokenEnv || flags.idTokenFile) {
      throw new LlmcError('ERR_USAGE', '--id-token-env and --id-token-file go with --provider ci', {
        hint: 'GitHub Actions hands out its own OIDC tokens, so drop them (or use --provider ci)',
      });
    }
    return { kind: 'github-actions', audience: flags.audience ?? DEFAULT_CI_AUDIENCE };
  }
  if (flags.audience) {
    throw new LlmcError('ERR_USAGE', '--audience goes with --provider github-actions', {
      hint: "with --provider ci the CI mints the token, so set its audience in the CI's own settings",
    });
  }
  if (flags.idTokenEnv && flags.idTokenFile) {
    throw new LlmcError('ERR_USAGE', 'pass one of --id-token-env and --id-token-file, not both', {
      hint: 'llmc auth login --provider ci --gateway URL --id-token-env VAR',
    });
  }
  if (flags.idTokenEnv) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(flags.idTokenEnv)) {
      // Not echoed: it may be the token itself, pasted where its variable's name belongs.
      throw new LlmcError('ERR_INVALID_ARGUMENT', 'the value of --id-token-env is not an environment variable name', {
        hint: 'pass the name of the variable (e.g. --id-token-env CIRCLE_OIDC_TOKEN_V2), not the id_token',
      });
    }
    return { kind: 'env', variable: flags.idTokenEnv };
  }
  // Absolute: later `auth token --gateway` calls may run from another directory.
  if (flags.idTokenFile) return { kind: 'file', path: resolve(flags.idTokenFile) };
  throw new LlmcError('ERR_USAGE', '--provider ci needs --id-token-env VAR or --id-token-file FILE', {
    hint: 'name where your CI puts its OIDC token (GitLab: an `id_tokens` entry; CircleCI: CIRCLE_OIDC_TOKEN_V2)',
  });
}

export function gatewaySummary(record: GatewayTokenRecord) {
  return {
    url: record.url,
    expires_at: record.expires_at.replace(/\.\d{3}Z$/, 'Z'),
    scope: record.scope,
    jti: record.jti ?? null,
  };
}
