import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { LlmcError } from '../../errors.js';
import type { SecretsProvider } from './types.js';

/**
 * `file:PATH` — the file's content without its trailing newline. The directory
 * is watched (not the file), so a secret replaced by rename is seen too; the
 * TTL is the backstop where watching is not possible. `~/` means the home
 * directory, as a user writing `file:~/.secrets/openai` expects.
 */
export function fileProvider(options: { homeDir?: string } = {}): SecretsProvider {
  const expand = (target: string): string =>
    target === '~' || target.startsWith('~/') ? join(options.homeDir ?? homedir(), target.slice(1)) : resolve(target);
  return {
    scheme: 'file',
    ttlMs: 10_000,
    async resolve(target) {
      const path = expand(target);
      try {
        return (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
      } catch (error) {
        throw new LlmcError(
          'ERR_SECRET_UNAVAILABLE',
          `cannot read secret file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
          {
            hint: 'check that the file exists and is readable by you',
            cause: error,
          },
        );
      }
    },
    watch(target, onChange) {
      const path = expand(target);
      const name = basename(path);
      try {
        const watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
          if (changed === null || changed === name) onChange();
        });
        watcher.on('error', () => undefined);
        return () => watcher.close();
      } catch {
        return () => undefined;
      }
    },
  };
}
