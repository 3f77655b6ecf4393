import { execFile } from 'node:child_process';
import { LlmcError } from '../../errors.js';
import type { SecretsProvider } from './types.js';

/** `exec:COMMAND` — the command's stdout (trimmed), run through /bin/sh, cached for `ttlMs`. */
export function execProvider(ttlMs = 300_000, timeoutMs = 10_000): SecretsProvider {
  return {
    scheme: 'exec',
    ttlMs,
    resolve(command) {
      return new Promise((resolvePromise, reject) => {
        execFile('/bin/sh', ['-c', command], { timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout) => {
          if (error) {
            // Never echo the command's output: it may be half a secret.
            reject(
              new LlmcError(
                'ERR_SECRET_UNAVAILABLE',
                `secret command failed (${error.code ?? error.signal ?? 'error'})`,
                {
                  hint: 'run the exec: command by hand to see why it fails',
                },
              ),
            );
            return;
          }
          const value = stdout.trim();
          if (value === '') {
            reject(
              new LlmcError('ERR_SECRET_UNAVAILABLE', 'secret command printed nothing', {
                hint: 'the exec: command must print the secret on stdout',
              }),
            );
            return;
          }
          resolvePromise(value);
        });
      });
    },
  };
}
