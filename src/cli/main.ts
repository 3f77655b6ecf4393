import type { Command, CommanderError } from 'commander';
import { ExitCode, isLlmcError, isUnreachable, LlmcError } from '../errors.js';
import { installInterruptHandler } from './interrupt.js';
import { outcome } from './lazy.js';
import { prerenderedRootHelp } from './root-help.js';
import { packageVersion } from './version.js';

interface ErrorStyle {
  json: boolean;
  verbose: boolean;
}

/** Parse, dispatch, and turn every failure into one message and one exit code. */
export async function main(argv: string[]): Promise<number> {
  const style: ErrorStyle = {
    json: argv.includes('--json'),
    verbose: argv.includes('-v') || argv.includes('--verbose'),
  };
  installInterruptHandler();
  if (argv.length === 1 && argv[0] === '--version') {
    // Nothing to parse: answer before building the command tree.
    process.stdout.write(`${packageVersion()}\n`);
    return ExitCode.ok;
  }
  const rootHelp = prerenderedRootHelp(argv);
  if (rootHelp !== undefined) {
    process.stdout.write(rootHelp);
    return ExitCode.ok;
  }
  if (argv[0] === 'auth' && argv[1] === 'token') {
    // A valid cached token is printed before the command tree is built (see fastToken).
    const { fastToken } = await import('./commands/auth-token.js');
    const code = await fastToken(argv);
    if (code !== undefined) return code;
  }
  const { buildProgram } = await import('./program.js');
  const program = buildProgram();
  let commanderMessage = '';
  program.exitOverride();
  program.configureOutput({
    writeErr: (text) => {
      commanderMessage += text;
    },
    outputError: (text) => {
      commanderMessage += text;
    },
  });
  // Subcommands inherit output settings and exitOverride only when created after this call.
  for (const command of allCommands(program)) {
    command.exitOverride();
    command.configureOutput(program.configureOutput());
  }
  if (argv.length === 0) {
    process.stdout.write(program.helpInformation());
    return ExitCode.ok;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return outcome.exitCode;
  } catch (error) {
    if (isCommanderError(error)) return await reportCommanderError(error, commanderMessage, style, program, argv);
    return await report(error, style);
  }
}

function isCommanderError(error: unknown): error is CommanderError {
  return (
    error instanceof Error && error.name === 'CommanderError' && typeof (error as CommanderError).code === 'string'
  );
}

function allCommands(root: Command): Command[] {
  return root.commands.flatMap((command) => [command, ...allCommands(command)]);
}

/** The deepest command named by the leading words of argv (`llmc config gte` → config). */
function commandAt(program: Command, argv: string[]): { command: Command; path: string[] } {
  let command = program;
  const path: string[] = [];
  for (const word of argv) {
    if (word.startsWith('-')) continue;
    const next = command.commands.find((sub) => sub.name() === word || sub.aliases().includes(word));
    if (!next) break;
    command = next;
    path.push(word);
  }
  return { command, path };
}

async function reportCommanderError(
  error: CommanderError,
  captured: string,
  style: ErrorStyle,
  program: Command,
  argv: string[],
): Promise<number> {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
  if (error.code === 'commander.help') {
    // A noun without a verb (`llmc config`): its help, on stderr; that is a usage error.
    if (!style.json) {
      process.stderr.write(captured);
      return ExitCode.usage;
    }
    const { command, path } = commandAt(program, argv);
    const verbs = command.commands.map((sub) => sub.name()).filter((name) => name !== 'help');
    const usage = ['llmc', ...path].join(' ');
    return report(
      new LlmcError('ERR_USAGE', `"${usage}" needs a command: ${verbs.join(', ')}`, {
        hint: `see \`${usage} --help\``,
      }),
      style,
    );
  }
  const text = captured || error.message;
  const suggestion = /\(Did you mean (.+?)\?\)/.exec(text)?.[1];
  const message = text
    .replace(/\(Did you mean .+?\?\)/, '')
    .replace(/^error:\s*/i, '')
    .trim()
    .split('\n')[0]
    ?.replace(/'([^']*)'/g, '"$1"');
  const code =
    error.code === 'commander.unknownCommand'
      ? 'ERR_UNKNOWN_COMMAND'
      : error.code === 'commander.unknownOption'
        ? 'ERR_UNKNOWN_OPTION'
        : 'ERR_USAGE';
  let hint = suggestion ? `did you mean ${suggestion}?` : 'see `llmc --help`';
  if (!suggestion && code === 'ERR_UNKNOWN_COMMAND') {
    const { command, path } = commandAt(program, argv);
    const names = command.commands.map((sub) => sub.name()).filter((name) => name !== 'help');
    hint = `did you mean one of: ${names.join(', ')}? see \`${['llmc', ...path].join(' ')} --help\``;
  }
  return report(new LlmcError(code, message ?? 'invalid usage', { hint, exitCode: ExitCode.usage }), style);
}

/** The one place errors become output and exit codes (ARCHITECTURE §4). */
export async function report(error: unknown, style: ErrorStyle): Promise<number> {
  // Loaded only on failure: the success path never pays for redaction patterns.
  const { redactString } = await import('../observability/redact.js');
  const known = toLlmcError(error);
  const message = redactString(known.message);
  const hint = known.hint ? redactString(known.hint) : undefined;
  if (style.json) {
    process.stderr.write(`${JSON.stringify({ error: { code: known.code, message, hint: hint ?? null } })}\n`);
  } else {
    process.stderr.write(`llmc: ${message}\n`);
    if (hint) process.stderr.write(`hint: ${hint}\n`);
  }
  if (style.verbose && !style.json) {
    const stack = (known.code === 'ERR_INTERNAL' ? (known.cause as Error | undefined) : known)?.stack;
    if (stack) process.stderr.write(`${redactString(stack)}\n`);
    let cause = known.cause as { message?: string; cause?: unknown } | undefined;
    for (let depth = 0; cause && depth < 5; depth++) {
      if (cause.message) process.stderr.write(`caused by: ${redactString(cause.message)}\n`);
      cause = cause.cause as typeof cause;
    }
  }
  return known.exitCode;
}

function toLlmcError(error: unknown): LlmcError {
  if (isLlmcError(error)) return error;
  const name = (error as { name?: string } | null)?.name;
  if (name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'AbortError') {
    return new LlmcError('ERR_INTERRUPTED', 'interrupted', { cause: error });
  }
  if (isUnreachable(error)) {
    return new LlmcError('ERR_UPSTREAM_UNREACHABLE', `could not connect: ${(error as Error).message}`, {
      hint: 'check the address and that the server is running',
      cause: error,
    });
  }
  return new LlmcError('ERR_INTERNAL', (error as Error)?.message ?? String(error), {
    hint: 'this is a bug in llmc; run again with -v and report the output',
    cause: error,
  });
}
