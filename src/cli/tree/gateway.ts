import { createRequire } from 'node:module';
import type * as Commander from 'commander';
import { lazy } from '../lazy.js';

// As in program.ts: commander through require, skipping its ESM wrapper on every start.
const { Option } = createRequire(import.meta.url)('commander') as typeof Commander;

const load = () => import('../commands/gateway.js');

function adminOptions(command: Commander.Command): Commander.Command {
  return command
    .addOption(new Option('--url <url>', 'the gateway (e.g. https://gw.company.com)').env('LLMC_GATEWAY_URL'))
    .option(
      '--admin-token-env <var>',
      'environment variable holding the admin token (never pass the token itself on the command line)',
      'LLMC_GATEWAY_ADMIN_TOKEN',
    );
}

export function defineGateway(program: Commander.Command): void {
  const gateway = program
    .command('gateway')
    .description('run the team key server (id_token → mcpgw_ tokens) and administer its tokens');
  gateway
    .command('serve')
    .description('start the gateway; prints "listening on URL" once ready, stops gracefully on SIGTERM/SIGINT')
    .requiredOption('--config <file>', 'gateway.yaml (see docs/gateway.md)')
    .action(lazy(load, 'serve'));
  const token = gateway.command('token').description('one issued token (admin)');
  adminOptions(
    token.command('revoke').description('revoke one token by its jti').argument('<jti>', 'the token id (jti)'),
  ).action(lazy(load, 'revokeToken'));
  const tokens = gateway.command('tokens').description("an identity's issued tokens (admin)");
  adminOptions(
    tokens
      .command('revoke')
      .description('revoke every live token of a subject (the sub claim)')
      .requiredOption('--subject <sub>', 'the identity’s sub claim')
      .option('--issuer <url>', 'only tokens issued to this issuer’s identity'),
  ).action(lazy(load, 'revokeTokens'));
  adminOptions(
    tokens
      .command('list')
      .description('list the live tokens of a subject (jti, scope, issue and expiry times; never token values)')
      .requiredOption('--subject <sub>', 'the identity’s sub claim')
      .option('--issuer <url>', 'only tokens issued to this issuer’s identity'),
  ).action(lazy(load, 'listTokens'));
}
