import { resolveHome } from '../config/home.js';

/** Global flags (ARCHITECTURE §4) as every command sees them. */
export interface GlobalOptions {
  json?: boolean;
  profile?: string;
  home?: string;
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
}

/** What a command gets besides its own options: resolved globals and its I/O. */
export interface CliContext {
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  color: boolean;
  profile: string | undefined;
  home: string;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export function createContext(globals: GlobalOptions, env: NodeJS.ProcessEnv = process.env): CliContext {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return {
    json: globals.json === true,
    quiet: globals.quiet === true,
    verbose: globals.verbose === true,
    color: globals.color !== false && !noColor && process.stdout.isTTY === true && env.TERM !== 'dumb',
    profile: globals.profile ?? env.LLMC_PROFILE,
    home: resolveHome({ home: globals.home, env }),
    env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  };
}
