import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Keychain } from '../../../src/config/keychain.js';
import {
  envProvider,
  execProvider,
  fileProvider,
  keychainProvider,
  parseSecretRef,
  SecretResolver,
} from '../../../src/config/secrets/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llmc-secrets-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('parseSecretRef', () => {
  it.each([
    ['env:OPENAI_API_KEY', { scheme: 'env', target: 'OPENAI_API_KEY' }],
    ['file:/run/secrets/key', { scheme: 'file', target: '/run/secrets/key' }],
    ['keychain:llmc/anthropic', { scheme: 'keychain', target: 'llmc/anthropic' }],
    ['exec:pass show openai', { scheme: 'exec', target: 'pass show openai' }],
    ['sk-literal', { scheme: 'literal', target: 'sk-literal' }],
    ['https://x', { scheme: 'literal', target: 'https://x' }],
  ])('%s', (ref, expected) => expect(parseSecretRef(ref)).toEqual(expected));
});

describe('env provider', () => {
  it('reads the environment, then .env in the working directory', async () => {
    await writeFile(join(dir, '.env'), 'FROM_DOTENV="dotenv value"\nBOTH=file\n');
    const provider = envProvider({ env: { BOTH: 'process' }, cwd: dir });
    expect(await provider.resolve('FROM_DOTENV')).toBe('dotenv value');
    expect(await provider.resolve('BOTH')).toBe('process');
    await expect(provider.resolve('MISSING')).rejects.toMatchObject({
      code: 'ERR_SECRET_UNAVAILABLE',
      hint: expect.stringContaining('export MISSING'),
    });
  });
});

describe('file provider', () => {
  it('expands ~/ to the home directory', async () => {
    await writeFile(join(dir, 'openai'), 'sk-from-home\n');
    expect(await fileProvider({ homeDir: dir }).resolve('~/openai')).toBe('sk-from-home');
  });
});

describe('SecretResolver', () => {
  it('picks up a file secret replaced by rename without a restart, trailing newline trimmed', async () => {
    const file = join(dir, 'key');
    await writeFile(file, 'first\n');
    const resolver = new SecretResolver({ providers: [fileProvider()] });
    try {
      expect(await resolver.resolve(`file:${file}`)).toBe('first');
      await writeFile(join(dir, 'key.new'), 'second\n');
      await rename(join(dir, 'key.new'), file);
      await vi.waitFor(async () => expect(await resolver.resolve(`file:${file}`)).toBe('second'), {
        timeout: 5_000,
        interval: 50,
      });
    } finally {
      resolver.close();
    }
  });

  it('caches exec: output for its TTL and runs the command again after it', async () => {
    const counter = join(dir, 'count');
    await writeFile(counter, '');
    const command = `echo x >> ${counter}; wc -l < ${counter}`;
    const resolver = new SecretResolver({ providers: [execProvider(50)] });
    expect(await resolver.resolve(`exec:${command}`)).toBe('1');
    expect(await resolver.resolve(`exec:${command}`)).toBe('1');
    await vi.waitFor(async () => expect(await resolver.resolve(`exec:${command}`)).toBe('2'), {
      timeout: 2_000,
      interval: 20,
    });
  });

  it('never puts a failing exec command output into the error', async () => {
    const resolver = new SecretResolver({ providers: [execProvider()] });
    const error = await resolver.resolve('exec:echo sk-halfsecret; exit 3').catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE' });
    expect(String((error as Error).message)).not.toContain('halfsecret');
  });

  it('warns once per setting about a literal secret', async () => {
    const onLiteral = vi.fn();
    const resolver = new SecretResolver({ providers: [], onLiteral });
    expect(await resolver.resolve('sk-abc', 'providers.openai.api_key')).toBe('sk-abc');
    expect(await resolver.resolve('sk-abc', 'providers.openai.api_key')).toBe('sk-abc');
    expect(onLiteral).toHaveBeenCalledTimes(1);
    expect(onLiteral).toHaveBeenCalledWith('providers.openai.api_key');
  });

  it('reads keychain:SERVICE/ACCOUNT through the keychain interface', async () => {
    const entries = new Map([['llmc/anthropic', 'sk-ant-from-keychain']]);
    const keychain: Keychain = {
      get: async (service, account) => entries.get(`${service}/${account}`) ?? null,
      set: async () => undefined,
      delete: async () => true,
    };
    const resolver = new SecretResolver({ providers: [keychainProvider(keychain)] });
    expect(await resolver.resolve('keychain:llmc/anthropic')).toBe('sk-ant-from-keychain');
    await expect(resolver.resolve('keychain:llmc/none')).rejects.toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE' });
    await expect(resolver.resolve('keychain:nosplit')).rejects.toMatchObject({ code: 'ERR_SECRET_REF' });
  });
});
