import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configPath, setConfigValue, unsetConfigValue } from '../../../src/config/config-file.js';

let dir: string;
let home: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llmc-config-'));
  home = join(dir, 'home');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const stored = async () => JSON.parse(await readFile(configPath(home), 'utf8'));

describe('setConfigValue keys', () => {
  it.each([
    '__proto__.polluted',
    'providers.__proto__.type',
    'providers.constructor.type',
    'providers.local.prototype',
    'mcp_servers.files.env.__proto__',
    'constructor.prototype.x',
  ])('refuses %s with ERR_CONFIG_KEY and writes nothing', async (key) => {
    await setConfigValue(home, 'daemon.port', 7320);
    const before = await readFile(configPath(home), 'utf8');
    await expect(setConfigValue(home, key, 'openai')).rejects.toMatchObject({
      code: 'ERR_CONFIG_KEY',
      message: expect.stringContaining(key),
    });
    await expect(unsetConfigValue(home, key)).rejects.toMatchObject({ code: 'ERR_CONFIG_KEY' });
    expect(await readFile(configPath(home), 'utf8')).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stores exactly the key that was validated (digits and brackets are plain names)', async () => {
    await setConfigValue(home, 'providers.2024.base_url', 'http://127.0.0.1:2024/v1');
    await setConfigValue(home, 'providers.local.headers.x-a[0]', 'env:A');
    await setConfigValue(home, 'providers.local.headers.x\\b', 'env:B');
    expect(await stored()).toEqual({
      providers: {
        2024: { base_url: 'http://127.0.0.1:2024/v1' },
        local: { headers: { 'x-a[0]': 'env:A', 'x\\b': 'env:B' } },
      },
    });
  });

  it('keeps the order of what is already in the file', async () => {
    await setConfigValue(home, 'daemon.port', 7320);
    await setConfigValue(home, 'providers.local.base_url', 'http://127.0.0.1:1234/v1');
    expect(Object.keys(await stored())).toEqual(['daemon', 'providers']);
  });
});
