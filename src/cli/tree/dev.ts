import { createRequire } from 'node:module';
import type * as Commander from 'commander';
import { lazy } from '../lazy.js';

const { InvalidArgumentError, Option } = createRequire(import.meta.url)('commander') as typeof Commander;

export function defineDev(program: Commander.Command): void {
  const dev = program.command('dev').description('local development helpers (no account anywhere)');
  dev
    .command('idp')
    .description('run the embedded OpenID provider (login form, device flow, refresh rotation) until Ctrl-C')
    .addOption(new Option('--port <n>', 'port on 127.0.0.1 (default: any free port)').argParser(nonNegative))
    .addOption(new Option('--access-token-ttl <seconds>', 'access token lifetime').argParser(positive))
    .addOption(new Option('--id-token-ttl <seconds>', 'id_token lifetime').argParser(positive))
    .addOption(new Option('--refresh-token-ttl <seconds>', 'refresh token lifetime').argParser(positive))
    .action(lazy(() => import('../commands/dev-idp.js'), 'idp'));
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port`);
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a whole number of seconds`);
  return n;
}
