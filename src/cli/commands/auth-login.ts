import { createInterface } from 'node:readline';
import { hasDisplay, openBrowser } from '../../auth/browser.js';
import { type GatewayTokenRecord, gatewayBaseUrl } from '../../auth/gateway-exchange.js';
import { withoutGatewayToken } from '../../auth/gateway-record.js';
import { exchangeForProfile } from '../../auth/gateway-token.js';
import {
  login as browserLogin,
  connect,
  deviceLogin,
  type OidcClient,
  supportsDeviceFlow,
  type TokenResult,
} from '../../auth/oidc.js';
import { claimLogin, waitForPendingLogin } from '../../auth/pending-login.js';
import { profileFromTokens } from '../../auth/profile.js';
import { type ProviderFlags, resolveProvider } from '../../auth/providers.js';
import { deleteRefreshToken, keyringWanted, saveRefreshToken } from '../../auth/refresh-store.js';
import { type ProfileRecord, readTokenFile, tokenPath, updateTokenFile } from '../../auth/token-cache.js';
import { readConfig } from '../../config/config-file.js';
import { LlmcError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { notice, paint, print, printJson, warn } from '../output.js';
import { describeExpiry } from './auth.js';
import { gatewaySummary } from './auth-login-ci.js';

interface LoginOptions extends ProviderFlags {
  browser?: boolean;
  device?: boolean;
  port?: number;
  keyring?: boolean;
  gateway?: string;
  idTokenEnv?: string;
  idTokenFile?: string;
}

type Mode = 'browser' | 'paste' | 'device';

const DEFAULT_TIMEOUT_S = 300;

function loginTimeoutMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.LLMC_LOGIN_TIMEOUT);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_TIMEOUT_S) * 1000;
}

export async function login(ctx: CliContext, options: LoginOptions): Promise<number | undefined> {
  const config = await readConfig(ctx.home);
  const gatewayUrl = options.gateway ?? config.defaults?.gateway;
  // A plain-http gateway off loopback is refused before anything is sent anywhere.
  const gateway = gatewayUrl ? gatewayBaseUrl(gatewayUrl) : undefined;
  if (options.provider === 'github-actions' || options.provider === 'ci') {
    const { loginCi } = await import('./auth-login-ci.js');
    return loginCi(ctx, { ...options, provider: options.provider, gateway });
  }
  if (options.idTokenEnv || options.idTokenFile || options.audience) {
    throw new LlmcError(
      'ERR_USAGE',
      `${options.audience ? '--audience' : '--id-token-env/--id-token-file'} is for CI logins`,
      {
        hint: 'use it with --provider github-actions (--audience) or --provider ci (--id-token-env/--id-token-file)',
      },
    );
  }
  const provider = resolveProvider(options, { home: ctx.home, env: ctx.env, oidcProviders: config.oidc_providers });
  const profileName = ctx.profile ?? provider.name;
  // A corrupt or newer token.json stops us before the user does any work (and is never overwritten).
  await readTokenFile(ctx.home);
  const started = Date.now();
  const timeoutMs = loginTimeoutMs(ctx.env);

  let paste: { line: Promise<string>; close(): void } | undefined;
  for (;;) {
    const claim = await claimLogin(ctx.home, profileName);
    if (claim.kind === 'busy') {
      notice(
        ctx,
        `A login for profile "${profileName}" is already waiting in another llmc (pid ${claim.record.pid}); not opening another tab.`,
      );
      if (claim.record.url) notice(ctx, `Finish it in the browser tab it opened, or open:\n  ${claim.record.url}`);
      const outcome = await waitForPendingLogin(ctx.home, profileName, started, { timeoutMs });
      if (outcome === 'timeout') {
        throw new LlmcError('ERR_LOGIN_TIMEOUT', 'the other login did not finish in time', {
          hint: 'run llmc auth login again',
        });
      }
      if (outcome.kind === 'completed') {
        const file = await readTokenFile(ctx.home);
        const profile = file?.profiles[profileName];
        if (profile) report(ctx, profileName, profile, false);
        if (gateway) await gatewayAfterOtherLogin(ctx, profileName, gateway, options);
        return 0;
      }
      notice(ctx, 'The other login ended without logging in; taking over.');
      continue;
    }
    try {
      const oidc = await connect(provider, { home: ctx.home, env: ctx.env });
      const mode = chooseMode(ctx, options, oidc);
      paste = mode === 'paste' ? pasteReader(ctx) : undefined;
      const result =
        mode === 'device'
          ? await deviceLogin(oidc, { onCode: (code) => showDeviceCode(ctx, code) })
          : await browserLogin(oidc, {
              port: options.port,
              timeoutMs,
              present: async (url) => {
                await claim.setUrl(url.href);
                await present(ctx, url, mode);
              },
              pasted: paste?.line,
            });
      const profile = await save(ctx, profileName, oidc, result, keyringWanted(ctx.env, options.keyring), gateway);
      report(ctx, profileName, profile, true, gateway === undefined);
      if (gateway) await exchangeAfterLogin(ctx, profileName, gateway, profile, result.id_token);
      return 0;
    } finally {
      paste?.close();
      await claim.release();
    }
  }
}

function chooseMode(ctx: CliContext, options: LoginOptions, oidc: OidcClient): Mode {
  if (options.device) return 'device';
  if (options.browser === false) return 'paste';
  if (hasDisplay(ctx.env)) return 'browser';
  if (supportsDeviceFlow(oidc)) {
    notice(ctx, 'No display found; using a device code (pass --no-browser to paste a redirect URL instead).');
    return 'device';
  }
  notice(ctx, 'No display found; falling back to --no-browser.');
  return 'paste';
}

async function present(ctx: CliContext, url: URL, mode: Mode): Promise<void> {
  if (mode === 'paste') {
    ctx.stderr.write(
      `Open this URL in a browser on any machine and log in:\n\n  ${url.href}\n\n` +
        'The browser then lands on http://127.0.0.1:…/callback (it may show "unable to connect" on another machine).\n' +
        'Copy that whole address from the address bar and paste it here:\n',
    );
    return;
  }
  const opened = await openBrowser(url.href, ctx.env);
  if (opened) notice(ctx, `Opening ${url.origin} in your browser… If it does not open, visit:\n  ${url.href}`);
  else notice(ctx, `Could not start a browser. Open this URL to log in:\n  ${url.href}`);
  notice(ctx, 'Waiting for the login to finish in the browser (press Ctrl-C to cancel)…');
}

/** The first non-empty line on stdin; never settles if stdin closes without one (the listener may still win). */
function pasteReader(ctx: CliContext): { line: Promise<string>; close(): void } {
  const lines = createInterface({ input: ctx.stdin, terminal: false });
  const line = new Promise<string>((resolve) => {
    lines.on('line', (text) => {
      if (text.trim() === '') return;
      lines.close();
      resolve(text);
    });
  });
  return {
    line,
    close: () => {
      lines.close();
      // Do not let an open terminal or pipe keep the process alive after the login.
      ctx.stdin.pause();
      (ctx.stdin as { unref?: () => void }).unref?.();
    },
  };
}

function showDeviceCode(
  ctx: CliContext,
  code: {
    user_code: string;
    verification_uri: string;
    verification_uri_complete?: string | undefined;
    expires_in: number;
  },
): void {
  ctx.stderr.write(
    `First copy your one-time code: ${paint(ctx, 'bold', code.user_code)}\n` +
      `Then open ${code.verification_uri_complete ?? code.verification_uri} on any device and approve the login.\n` +
      `Waiting (the code expires in ${Math.round(code.expires_in / 60)} min)…\n`,
  );
}

async function save(
  ctx: CliContext,
  profileName: string,
  oidc: OidcClient,
  result: TokenResult,
  keyring: boolean,
  gateway: string | undefined,
): Promise<ProfileRecord> {
  if (result.userinfo_error)
    warn(ctx, `UserInfo was not available (${result.userinfo_error}); using the id_token's claims`);
  let ref: ProfileRecord['refresh_token'];
  if (result.refresh_token) {
    const saved = await saveRefreshToken(profileName, result.refresh_token, { keyring });
    ref = saved.ref;
    if (saved.fallbackReason) {
      warn(
        ctx,
        `the OS keychain is not available (${saved.fallbackReason}); the refresh token is stored in ${tokenPath(ctx.home)} (mode 0600) instead`,
      );
    }
  } else {
    warn(ctx, 'the IdP issued no refresh token: you will have to log in again when the access token expires');
  }
  let previous: ProfileRecord | undefined;
  let record: ProfileRecord | undefined;
  await updateTokenFile(ctx.home, (current) => {
    previous = current.profiles[profileName];
    record = profileFromTokens(
      oidc.provider.name,
      oidc,
      result,
      ref,
      sameIdentity(previous, result) ? previous : undefined,
    );
    // A login with --gateway starts that gateway afresh: the old token (if any) is dropped, the new one follows.
    if (gateway) record = { ...withoutGatewayToken(record, true), gateway_request: { url: gateway } };
    return { ...current, default_profile: profileName, profiles: { ...current.profiles, [profileName]: record } };
  });
  if (previous?.refresh_token?.store === 'keyring' && ref?.store !== 'keyring')
    await deleteRefreshToken(previous.refresh_token);
  return record as ProfileRecord;
}

function sameIdentity(previous: ProfileRecord | undefined, result: TokenResult): boolean {
  return previous !== undefined && previous.subject === result.claims.sub && previous.issuer === result.claims.iss;
}

function report(ctx: CliContext, profileName: string, profile: ProfileRecord, fresh: boolean, final = true): void {
  if (ctx.json) {
    // With --gateway the JSON document is printed once, after the exchange.
    if (!final) return;
    printJson(ctx, {
      profile: profileName,
      provider: profile.provider,
      issuer: profile.issuer,
      subject: profile.subject,
      email: profile.email ?? null,
      name: profile.name ?? null,
      access_token_expires_at: profile.access_token_expires_at ?? null,
      refresh_token_store: profile.refresh_token?.store ?? null,
      ...(profile.gateway ? { gateway: gatewaySummary(profile.gateway as GatewayTokenRecord) } : {}),
    });
    return;
  }
  const who = profile.email ?? profile.name ?? profile.subject;
  print(
    ctx,
    `${paint(ctx, 'green', '✓')} Logged in to ${new URL(profile.issuer).host} as ${who} (profile ${profileName})${fresh ? '' : ' by the other llmc'}`,
  );
}

/**
 * The id_token just issued is exchanged at the gateway. The IdP login is kept
 * when the exchange fails (the browser step is the expensive one): the error
 * says so, and `llmc auth token --gateway` retries the exchange later.
 */
async function exchangeAfterLogin(
  ctx: CliContext,
  profileName: string,
  gateway: string,
  profile: ProfileRecord,
  idToken: string,
): Promise<void> {
  let record: GatewayTokenRecord;
  try {
    record = await exchangeForProfile({ home: ctx.home, profile: profileName, gateway, idToken });
  } catch (error) {
    if (!(error instanceof LlmcError)) throw error;
    throw new LlmcError(error.code, error.message, {
      hint: `${error.hint ?? 'retry'} (the login to ${new URL(profile.issuer).host} itself succeeded and is saved; run \`llmc auth token\` with --gateway to retry the exchange)`,
      exitCode: error.exitCode,
      cause: error.cause,
    });
  }
  reportGateway(ctx, profileName, { ...profile, gateway: record }, record);
}

/** Another llmc finished the IdP login for us; make sure this profile also has the gateway token asked for. */
async function gatewayAfterOtherLogin(
  ctx: CliContext,
  profileName: string,
  gateway: string,
  options: LoginOptions,
): Promise<void> {
  const { ensureGatewayToken } = await import('../../auth/gateway-token.js');
  await updateTokenFile(ctx.home, (current) => {
    const profile = current.profiles[profileName];
    if (!profile || (profile.gateway_request as { url?: string } | undefined)?.url === gateway) return undefined;
    return {
      ...current,
      profiles: {
        ...current.profiles,
        [profileName]: { ...withoutGatewayToken(profile, true), gateway_request: { url: gateway } },
      },
    };
  });
  const { record } = await ensureGatewayToken({
    home: ctx.home,
    env: ctx.env,
    profile: profileName,
    keyring: keyringWanted(ctx.env, options.keyring),
  });
  const profile = (await readTokenFile(ctx.home))?.profiles[profileName];
  if (profile) reportGateway(ctx, profileName, profile, record);
}

function reportGateway(ctx: CliContext, profileName: string, profile: ProfileRecord, record: GatewayTokenRecord): void {
  if (ctx.json) {
    report(ctx, profileName, { ...profile, gateway: record }, true);
    return;
  }
  print(
    ctx,
    `${paint(ctx, 'green', '✓')} Gateway token from ${new URL(record.url).host}: ${describeExpiry(gatewaySummary(record).expires_at)}, scope ${record.scope || '(none)'}`,
  );
}
