import type { Command } from 'commander';
import { lazy } from '../lazy.js';

const load = () => import('../commands/config.js');

export function defineConfig(program: Command): void {
  const config = program
    .command('config')
    .description('read and change config.json (providers, MCP servers, defaults)');
  config
    .command('get')
    .description('print one value (a dotted key such as providers.local.base_url)')
    .argument('<key>', 'dotted key')
    .action(lazy(load, 'get'));
  config
    .command('set')
    .description('set one value; VALUE is JSON when it parses as JSON, else a string')
    .argument('<key>', 'dotted key')
    .argument('<value>', 'new value')
    .action(lazy(load, 'set'));
  config.command('unset').description('remove one key').argument('<key>', 'dotted key').action(lazy(load, 'unset'));
  config.command('list').description('print every key that is set').action(lazy(load, 'list'));
  config.command('path').description('print the path of config.json').action(lazy(load, 'path'));
  config
    .command('edit')
    .description('open config.json in $VISUAL/$EDITOR; saved only when it is valid')
    .action(lazy(load, 'edit'));
}
