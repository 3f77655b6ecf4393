import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exitOnInterrupt, installInterruptHandler, onInterrupt } from '../../../src/cli/interrupt.js';

/** The SIGINT listeners added during a test, called as a Ctrl-C would (without signalling the worker). */
let before: NodeJS.SignalsListener[];
const ours = (): NodeJS.SignalsListener[] =>
  process.listeners('SIGINT').filter((listener) => !before.includes(listener));
const ctrlC = () => {
  for (const listener of ours()) (listener as () => void)();
};

let exit: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  before = process.listeners('SIGINT');
  exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  for (const listener of ours()) process.off('SIGINT', listener as () => void);
  vi.restoreAllMocks();
});

describe('Ctrl-C', () => {
  it('exits 130 by default, installed once however often main runs', () => {
    installInterruptHandler();
    installInterruptHandler();
    expect(ours()).toEqual([exitOnInterrupt]);
    ctrlC();
    expect(exit).toHaveBeenCalledWith(130);
  });

  it('a command that takes it over gets the first Ctrl-C; the second exits 130', () => {
    installInterruptHandler();
    const handler = vi.fn();
    onInterrupt(handler);
    ctrlC();
    expect(handler).toHaveBeenCalledOnce();
    expect(exit).not.toHaveBeenCalled();
    ctrlC();
    expect(handler).toHaveBeenCalledOnce();
    expect(exit).toHaveBeenCalledWith(130);
  });

  it('leaves other SIGINT listeners alone and can hand Ctrl-C back', () => {
    const library = () => undefined;
    process.on('SIGINT', library);
    installInterruptHandler();
    const giveBack = onInterrupt(() => undefined);
    expect(process.listeners('SIGINT')).toContain(library);
    expect(process.listeners('SIGINT')).not.toContain(exitOnInterrupt);
    giveBack();
    expect(ours()).toEqual([library, exitOnInterrupt]);
  });
});
