import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  configPath,
  digest,
  replaceConfigText,
  setConfigValue,
  unsetConfigValue,
} from '../../../src/config/config-file.js';

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

describe('config.json writes', () => {
  it('replace the file (temp + rename) even where conf would write in place (Snap)', async () => {
    await setConfigValue(home, 'daemon.port', 7320);
    const before = (await stat(configPath(home))).ino;
    const saved = process.env.SNAP;
    process.env.SNAP = '/snap/node/current';
    try {
      await setConfigValue(home, 'daemon.port', 7321);
      expect((await stat(configPath(home))).ino).not.toBe(before);
      const between = (await stat(configPath(home))).ino;
      await unsetConfigValue(home, 'daemon.port');
      expect((await stat(configPath(home))).ino).not.toBe(between);
    } finally {
      if (saved === undefined) delete process.env.SNAP;
      else process.env.SNAP = saved;
    }
    expect((await stat(configPath(home))).mode & 0o777).toBe(0o600);
  });
});

describe('setConfigValue values', () => {
  it.each([
    ['models.aliases.fast', 123, `quote it: llmc config set models.aliases.fast '"123"'`],
    ['providers.local.api_key', true, `quote it: llmc config set providers.local.api_key '"true"'`],
    ['providers.local.models', 'a,b', `write a JSON array: llmc config set providers.local.models '["a","b"]'`],
    ['daemon.port', '7320', 'without quotes: llmc config set daemon.port 7320'],
    ['models.default', null, 'to remove a key: llmc config unset models.default'],
  ])('%s = %j is refused with a hint that says how to write it', async (key, value, hint) => {
    await expect(setConfigValue(home, key, value)).rejects.toMatchObject({
      code: 'ERR_CONFIG_VALUE',
      hint: expect.stringContaining(hint),
    });
  });

  it('other invalid values keep a hint without references to documents the user does not have', async () => {
    await expect(setConfigValue(home, 'daemon.port', 70000)).rejects.toMatchObject({
      code: 'ERR_CONFIG_VALUE',
      hint: expect.not.stringContaining('ARCHITECTURE'),
    });
  });
});

describe('parseConfigText', () => {
  it('an unknown key may come from a newer llmc: the hint says so, and the file is not rewritten', async () => {
    await mkdir(home, { recursive: true, mode: 0o700 });
    const newer = '{"telemetry":{"enabled":false},"daemon":{"port":1}}\n';
    await writeFile(configPath(home), newer, { mode: 0o600 });
    await expect(setConfigValue(home, 'daemon.port', 2)).rejects.toMatchObject({
      code: 'ERR_CONFIG_CORRUPT',
      message: expect.stringContaining('"telemetry"'),
      hint: expect.stringContaining('newer llmc'),
    });
    expect(await readFile(configPath(home), 'utf8')).toBe(newer);
  });
});

describe('replaceConfigText', () => {
  it('replaces a corrupt config.json with a valid edit (what `config edit` is for)', async () => {
    const corrupt = '{\n  "daemon": {\n    "port": 7320,\n  }\n}\n';
    await mkdir(home, { recursive: true, mode: 0o700 });
    await writeFile(configPath(home), corrupt, { mode: 0o600 });
    const fixed = '{\n  "daemon": {\n    "port": 7320\n  }\n}\n';
    expect(await replaceConfigText(home, fixed, digest(corrupt))).toEqual({ daemon: { port: 7320 } });
    expect(await stored()).toEqual({ daemon: { port: 7320 } });
    expect((await stat(configPath(home))).mode & 0o777).toBe(0o600);
  });

  it('still refuses when the file changed since the edit began', async () => {
    await setConfigValue(home, 'daemon.port', 7320);
    await expect(replaceConfigText(home, '{}', digest('{"daemon":{"port":1}}'))).rejects.toMatchObject({
      code: 'ERR_CONFIG_VALUE',
    });
    expect(await stored()).toEqual({ daemon: { port: 7320 } });
  });
});
