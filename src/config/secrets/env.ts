import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { LlmcError } from '../../errors.js';
import type { SecretsProvider } from './types.js';

export interface EnvProviderOptions {
  env?: NodeJS.ProcessEnv;
  /** Directory whose `.env` is the development fallback (default: the working directory). */
  cwd?: string;
}

/** `env:VAR` — the process environment, then `.env` in the working directory. */
export function envProvider(options: EnvProviderOptions = {}): SecretsProvider {
  const env = options.env ?? process.env;
  const dotenvPath = join(options.cwd ?? process.cwd(), '.env');
  let cached: { mtimeMs: number; values: Record<string, string> } | undefined;
  const dotenv = (): Record<string, string> => {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(dotenvPath).mtimeMs;
    } catch {
      return {};
    }
    if (cached?.mtimeMs !== mtimeMs) {
      cached = { mtimeMs, values: parseEnv(readFileSync(dotenvPath, 'utf8')) as Record<string, string> };
    }
    return cached.values;
  };
  return {
    scheme: 'env',
    ttlMs: 5_000,
    async resolve(name) {
      const value = env[name] ?? dotenv()[name];
      if (value === undefined || value === '') {
        throw new LlmcError('ERR_SECRET_UNAVAILABLE', `environment variable ${name} is not set`, {
          hint: `export ${name}=… (or put it in ./.env while developing)`,
        });
      }
      return value;
    },
  };
}
