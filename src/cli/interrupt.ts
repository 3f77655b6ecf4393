import { ExitCode } from '../errors.js';

/**
 * Ctrl-C. Unless a command has taken it over, the CLI stops at once with exit
 * code 130. A long-running command (a server) takes it over with
 * `onInterrupt` to finish what is in flight; a second Ctrl-C stops at once.
 * Only our own listener is ever added or removed: listeners that libraries
 * register (temp-file cleanup, cursor restore) stay in place.
 */
export function exitOnInterrupt(): void {
  process.stderr.write('\n');
  process.exit(ExitCode.interrupted);
}

/** Called once by main: Ctrl-C exits 130. */
export function installInterruptHandler(): void {
  if (!process.listeners('SIGINT').includes(exitOnInterrupt)) process.on('SIGINT', exitOnInterrupt);
}

/**
 * Run `handler` on the next Ctrl-C instead of exiting. The command then returns
 * its exit code as usual (130 for an interruption). Returns a function that
 * hands Ctrl-C back, for a command that ends for another reason first.
 */
export function onInterrupt(handler: () => void): () => void {
  const hadDefault = process.listeners('SIGINT').includes(exitOnInterrupt);
  // The default goes back before ours comes off: with no SIGINT listener at all for
  // an instant, Node stops watching the signal and drops a Ctrl-C already pending.
  const giveBack = () => {
    if (hadDefault) installInterruptHandler();
    process.off('SIGINT', interrupted);
  };
  const interrupted = () => {
    giveBack();
    handler();
  };
  process.on('SIGINT', interrupted);
  process.off('SIGINT', exitOnInterrupt);
  return giveBack;
}
