import { createRequire } from 'node:module';
import type * as Commander from 'commander';
import { defineAuth } from './tree/auth.js';
import { defineCompletion } from './tree/completion.js';
import { defineConfig } from './tree/config.js';
import { defineDev } from './tree/dev.js';
import { defineDoctor } from './tree/doctor.js';
import { defineGateway } from './tree/gateway.js';
import { packageVersion } from './version.js';

// commander is CommonJS: requiring it directly skips the ESM wrapper and its
// export scan, a measurable part of `llmc --help` cold start.
const { Command, Option } = createRequire(import.meta.url)('commander') as typeof Commander;

/** Help wraps at a fixed width, so the prerendered root help (root-help.ts) is the same on every terminal. */
export const HELP_WIDTH = 100;

/**
 * The whole commander tree. Each noun lives in tree/<noun>.ts, which only
 * declares names, flags and help; the work is in commands/<noun>.ts, imported
 * when the command runs. Completions are generated from this tree.
 */
export function buildProgram(): Commander.Command {
  const program = new Command('llmc')
    .description('One identity and fresh, short-lived credentials for every LLM and MCP call.')
    .version(packageVersion(), '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addOption(new Option('--json', 'machine-readable output (errors as JSON on stderr)'))
    .addOption(new Option('--profile <name>', 'identity profile in token.json').env('LLMC_PROFILE'))
    .addOption(new Option('--home <dir>', 'home directory (default: $LLMC_HOME or ~/.mcp-gateway)'))
    .addOption(new Option('-q, --quiet', 'only print results and errors'))
    .addOption(new Option('-v, --verbose', 'more detail, stack traces on errors'))
    .addOption(new Option('--no-color', 'no colour (also NO_COLOR)'))
    .showSuggestionAfterError(true)
    .showHelpAfterError(false)
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true, helpWidth: HELP_WIDTH });
  program.helpCommand('help [command]', 'show help for a command');

  defineAuth(program);
  defineConfig(program);
  defineDoctor(program);
  defineDev(program);
  defineGateway(program);
  defineCompletion(program);
  return program;
}
