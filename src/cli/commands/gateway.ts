import { isUnreachable, LlmcError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { onInterrupt } from '../interrupt.js';
import { notice, print, printJson, table } from '../output.js';
import { packageVersion } from '../version.js';

/** `llmc gateway …`: run the key server, and the admin calls against a running one. */

export async function serve(ctx: CliContext, options: { config: string }): Promise<number> {
  const [{ loadGatewayConfig, startGateway }, { createLogger }] = await Promise.all([
    import('../../gateway/index.js'),
    import('../../observability/logger.js'),
  ]);
  const config = await loadGatewayConfig(options.config);
  const logger = createLogger({
    name: 'gateway',
    level: ctx.verbose ? 'debug' : ctx.quiet ? 'warn' : 'info',
    destination: ctx.stderr,
  });
  const gateway = await startGateway(config, { logger, version: packageVersion() });
  // Ctrl-C would exit at once; a server finishes what is in flight first (a second Ctrl-C still exits).
  let giveBackInterrupt: () => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    giveBackInterrupt = onInterrupt(() => resolve('SIGINT'));
  });
  print(ctx, `listening on ${gateway.url}`);
  logger.info(
    {
      url: gateway.url,
      key_server: config.key_server.enabled,
      issuers: config.key_server.oidc.map((issuer) => issuer.issuer),
      store: config.store.type,
    },
    'gateway listening',
  );
  const signal = await stopped;
  giveBackInterrupt();
  logger.info({ signal }, 'shutting down: finishing requests in flight');
  await gateway.close(10_000);
  logger.info('gateway stopped');
  logger.flush();
  return signal === 'SIGINT' ? 130 : 0;
}

interface AdminOptions {
  url?: string;
  adminTokenEnv: string;
}

interface AdminAnswer {
  status: number;
  body: Record<string, unknown> | undefined;
}

async function admin(ctx: CliContext, options: AdminOptions, method: string, path: string): Promise<AdminAnswer> {
  if (!options.url) {
    throw new LlmcError('ERR_USAGE', 'which gateway? no --url given and LLMC_GATEWAY_URL is not set', {
      hint: 'pass --url https://gw.company.com',
    });
  }
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    throw new LlmcError('ERR_INVALID_ARGUMENT', `--url is not a URL: ${options.url}`, {
      hint: 'write it as https://gw.company.com',
    });
  }
  const token = ctx.env[options.adminTokenEnv];
  if (!token) {
    throw new LlmcError('ERR_GATEWAY_ADMIN', `${options.adminTokenEnv} is not set`, {
      hint: `export ${options.adminTokenEnv}=<the gateway's key_server.admin_token>; it is never read from the command line`,
    });
  }
  let response: Response;
  try {
    response = await fetch(new URL(path, base), {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new LlmcError('ERR_GATEWAY_UNREACHABLE', `could not reach the gateway at ${base.origin}`, {
      hint: isUnreachable(error) ? 'check --url and that the gateway is running' : 'retry; check the network',
      cause: error,
    });
  }
  const text = await response.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    body = undefined;
  }
  if (response.status === 401 || response.status === 403) {
    throw new LlmcError('ERR_GATEWAY_DENIED', `the gateway at ${base.origin} refused the admin token`, {
      hint: `check that ${options.adminTokenEnv} holds the gateway's key_server.admin_token`,
    });
  }
  if (response.status === 503 && body?.error === 'admin_not_configured') {
    throw new LlmcError('ERR_GATEWAY_REJECTED', `the gateway at ${base.origin} has no admin token configured`, {
      hint: 'set key_server.admin_token in its gateway.yaml (e.g. env:LLMC_GATEWAY_ADMIN_TOKEN) and restart it',
    });
  }
  return { status: response.status, body };
}

function unexpected(answer: AdminAnswer): LlmcError {
  const code = typeof answer.body?.error === 'string' ? ` (${answer.body.error})` : '';
  return new LlmcError('ERR_GATEWAY_REJECTED', `the gateway answered HTTP ${answer.status}${code}`, {
    hint: 'run again with -v, and check the gateway’s log',
  });
}

function subjectPath(base: string, options: { subject: string; issuer?: string }): string {
  const query = new URLSearchParams({ subject: options.subject });
  if (options.issuer) query.set('issuer', options.issuer);
  return `${base}?${query}`;
}

export async function revokeToken(ctx: CliContext, options: AdminOptions, jti: string): Promise<number> {
  const answer = await admin(ctx, options, 'DELETE', `/auth/token/${encodeURIComponent(jti)}`);
  if (answer.status === 404) {
    throw new LlmcError('ERR_GATEWAY_NOT_FOUND', `no live token with jti ${jti}`, {
      hint: 'it may have expired or been revoked already; `llmc gateway tokens list --subject S` shows live ones',
    });
  }
  if (answer.status !== 204 && answer.status !== 200) throw unexpected(answer);
  if (ctx.json) printJson(ctx, { revoked: true, jti });
  else notice(ctx, `✓ revoked token ${jti}`);
  return 0;
}

export async function revokeTokens(
  ctx: CliContext,
  options: AdminOptions & { subject: string; issuer?: string },
): Promise<number> {
  const answer = await admin(ctx, options, 'DELETE', subjectPath('/auth/tokens', options));
  if (answer.status !== 200 || typeof answer.body?.revoked !== 'number') throw unexpected(answer);
  if (ctx.json) printJson(ctx, answer.body);
  else print(ctx, `revoked ${answer.body.revoked} token${answer.body.revoked === 1 ? '' : 's'} of ${options.subject}`);
  return 0;
}

interface ListedToken {
  jti: string;
  iss?: string;
  scope: string;
  issued_at: string;
  expires_at: string;
}

export async function listTokens(
  ctx: CliContext,
  options: AdminOptions & { subject: string; issuer?: string },
): Promise<number> {
  const answer = await admin(ctx, options, 'GET', subjectPath('/auth/tokens', options));
  if (answer.status !== 200 || !Array.isArray(answer.body?.tokens)) throw unexpected(answer);
  if (ctx.json) {
    printJson(ctx, answer.body);
    return 0;
  }
  const tokens = answer.body.tokens as ListedToken[];
  if (tokens.length === 0) {
    notice(ctx, `no live tokens for ${options.subject}`);
    return 0;
  }
  print(
    ctx,
    table([
      ['JTI', 'ISSUED', 'EXPIRES', 'SCOPE'],
      ...tokens.map((token) => [token.jti, token.issued_at, token.expires_at, token.scope]),
    ]),
  );
  return 0;
}
