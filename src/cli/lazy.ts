import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from './context.js';

/**
 * A command handler: resolved context, the command's own options, then its
 * positional arguments. It may return an exit code (doctor with a failed
 * check); failures are thrown as LlmcError and mapped in main.ts.
 */
// biome-ignore lint/suspicious/noExplicitAny: each handler declares its own option shape
export type Handler = (ctx: CliContext, options: any, ...args: any[]) => Promise<number | undefined>;

/** Set by main.ts so it can report the exit code a handler returned. */
export const outcome: { exitCode: number } = { exitCode: 0 };

/**
 * An action that imports its command module only when the command runs, so
 * `llmc --help` and fast paths never load what other commands need.
 */
export function lazy<M extends Record<string, unknown>>(load: () => Promise<M>, name: keyof M & string) {
  return async (...params: unknown[]): Promise<void> => {
    const command = params[params.length - 1] as Command;
    const options = command.opts();
    const args = params.slice(0, -2);
    // Loaded here, not at the top: `llmc --help` must not pay for what commands need.
    const [{ createContext }, module] = await Promise.all([import('./context.js'), load()]);
    const ctx = createContext(command.optsWithGlobals() as GlobalOptions);
    const handler = module[name] as Handler;
    const code = await handler(ctx, options, ...args);
    if (typeof code === 'number') outcome.exitCode = code;
  };
}
