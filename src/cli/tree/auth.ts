import { createRequire } from 'node:module';
import type * as Commander from 'commander';
import { lazy } from '../lazy.js';

// As in program.ts: commander through require, skipping its ESM wrapper on every start.
const { InvalidArgumentError, Option } = createRequire(import.meta.url)('commander') as typeof Commander;

const load = () => import('../commands/auth.js');
const loadLogin = () => import('../commands/auth-login.js');

export function defineAuth(program: Commander.Command): void {
  const auth = program.command('auth').description('log in with your identity provider and manage the token cache');
  auth
    .command('login')
    .description(
      "log in through the browser (authorization code + PKCE), a pasted URL, or a device code; in CI with the job's OIDC token",
    )
    .option(
      '--provider <name>',
      'google, microsoft, okta, keycloak, dev, github-actions, ci, or a name from config.json oidc_providers',
    )
    .option('--issuer <url>', 'issuer URL of any other OpenID provider (https)')
    .option('--client-id <id>', 'your OAuth client id at the provider')
    .option('--client-secret-env <var>', 'environment variable holding the client secret, for confidential clients')
    .option('--tenant <id>', 'Microsoft Entra tenant (directory) id or domain')
    .option(
      '--scope <scopes>',
      'scopes to request instead of the provider default (space or comma separated); for github-actions/ci: the gateway scope to narrow to',
    )
    .option('--no-browser', 'print the URL and read the redirect URL you paste back (SSH, headless)')
    .option('--device', 'use the device authorization grant (a code to enter on another device)')
    .addOption(new Option('--port <n>', 'port for the http://127.0.0.1:PORT/callback redirect').argParser(parsePort))
    .option('--no-keyring', 'keep the refresh token in token.json (0600) instead of the OS keychain')
    .option(
      '--gateway <url>',
      'also exchange the id_token at this gateway for an mcpgw_ token (default: defaults.gateway)',
    )
    .option('--audience <aud>', 'audience of the GitHub Actions id_token (default mcp-gateway)')
    .option('--id-token-env <var>', "with --provider ci: the environment variable holding the CI job's id_token")
    .option('--id-token-file <path>', "with --provider ci: the file holding the CI job's id_token")
    .action(lazy(loadLogin, 'login'));
  auth
    .command('status')
    .description('who is logged in, with which issuer, token expiries and where the refresh token lives')
    .action(lazy(load, 'status'));
  auth
    .command('token')
    .description('print a valid access token (refreshing it when needed)')
    .option('--id-token', 'print the id_token instead')
    .option('--gateway', "print the profile's gateway (mcpgw_) token, re-exchanging it before it expires")
    .option('--scope <scopes>', 'with --gateway: narrow the gateway token to these scopes (kept for later calls)')
    .addOption(
      new Option(
        '--min-valid <seconds>',
        // The default lives in commands/auth-token.ts (DEFAULT_MIN_VALID_S); with --gateway it follows the token's lifetime.
        'refresh when the token expires within this many seconds (default: 60; with --gateway 20% of its lifetime, at least 60)',
      ).argParser(parseSeconds),
    )
    .option('--no-keyring', 'keep a rotated refresh token in token.json instead of the OS keychain')
    .action(lazy(() => import('../commands/auth-token.js'), 'token'));
  auth
    .command('logout')
    .description('forget the tokens of a profile (the current one, or --all)')
    .option('--all', 'every profile')
    .option('--revoke', 'also revoke the refresh token at the IdP (RFC 7009) when it offers revocation')
    .option('--gateway', 'only revoke and forget the gateway token, keeping the login')
    .action(lazy(load, 'logout'));
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new InvalidArgumentError(`"${value}" is not a port (1-65535)`);
  return port;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) throw new InvalidArgumentError(`"${value}" is not a number of seconds`);
  return seconds;
}
