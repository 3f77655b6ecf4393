import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  expiresAt,
  isFresh,
  type ProfileRecord,
  parseTokenFile,
  readTokenFile,
  requireProfile,
  selectProfileName,
  updateTokenFile,
} from '../../../src/auth/token-cache.js';
import { tempHome } from '../../helpers/cli.js';
import { errorOf } from '../../helpers/errors.js';

const profile = (extra: Partial<ProfileRecord> = {}): ProfileRecord => ({
  provider: 'dev',
  issuer: 'http://127.0.0.1:1',
  client_id: 'llmc-cli',
  subject: 'alice',
  access_token: 'at',
  access_token_expires_at: '2030-01-01T00:00:00Z',
  refresh_token: { store: 'keyring', ref: 'llmc:dev' },
  updated_at: '2026-11-25T00:00:00Z',
  ...extra,
});

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('token.json v1', () => {
  it('parses the ARCHITECTURE §3 example shape and keeps unknown fields', () => {
    const text = JSON.stringify({
      version: 1,
      default_profile: 'google',
      profiles: { google: profile({ gateway: { url: 'https://gw', access_token: 'mcpgw_x' } }) },
    });
    const file = parseTokenFile('/h/token.json', text);
    expect(file.profiles.google?.gateway).toEqual({ url: 'https://gw', access_token: 'mcpgw_x' });
  });

  it.each([
    ['{ "version": 1, "profiles": { ', /token\.json:1:\d+: invalid JSON/],
    ['[]', /token\.json: \(root\): expected an object/],
    ['{"version":1,"profiles":{"a":{"provider":"x"}}}', /profiles\.a\.issuer: expected a string/],
    [
      JSON.stringify({ version: 1, profiles: { a: profile({ access_token_expires_at: 'tomorrow' }) } }),
      /profiles\.a\.access_token_expires_at: expected an RFC 3339 time/,
    ],
    [
      JSON.stringify({ version: 1, profiles: { a: profile({ refresh_token: { store: 'cloud' } as never }) } }),
      /profiles\.a\.refresh_token\.store: expected "keyring" or "file"/,
    ],
  ])('a corrupt file names the file and where: %s', (text, message) => {
    const error = errorOf(() => parseTokenFile('/h/token.json', text));
    expect(error.code).toBe('ERR_FILE_CORRUPT');
    expect(error.message).toMatch(message);
    expect(error.hint).toContain('will not overwrite');
  });

  it('refuses a newer version', () => {
    const error = errorOf(() => parseTokenFile('/h/token.json', '{"version":3,"profiles":{}}'));
    expect(error.code).toBe('ERR_CONFIG_VERSION');
    expect(error.message).toContain('version 3, newer than this llmc understands (1)');
  });

  it('updateTokenFile never overwrites a corrupt file', async () => {
    const made = await tempHome();
    cleanups.push(made.cleanup);
    await mkdir(made.home, { recursive: true });
    await writeFile(join(made.home, 'token.json'), '{oops');
    await expect(updateTokenFile(made.home, (current) => current)).rejects.toThrow(/invalid JSON/);
    expect(await readFile(join(made.home, 'token.json'), 'utf8')).toBe('{oops');
  });

  it('concurrent updates under the lock lose nothing', async () => {
    const made = await tempHome();
    cleanups.push(made.cleanup);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        updateTokenFile(made.home, (current) => ({
          ...current,
          profiles: { ...current.profiles, [`p${i}`]: profile() },
        })),
      ),
    );
    expect(Object.keys((await readTokenFile(made.home))?.profiles ?? {})).toHaveLength(8);
  });

  it('selects --profile, else the default, else the only profile', () => {
    const file = { version: 1 as const, profiles: { a: profile(), b: profile() } };
    expect(selectProfileName(file, 'b')).toBe('b');
    expect(selectProfileName(file, undefined)).toBeUndefined();
    expect(selectProfileName({ ...file, default_profile: 'a' }, undefined)).toBe('a');
    expect(selectProfileName({ version: 1, profiles: { only: profile() } }, undefined)).toBe('only');
    expect(errorOf(() => requireProfile(undefined, undefined)).exitCode).toBe(3);
    expect(errorOf(() => requireProfile(file, 'c')).hint).toBe('run llmc auth login --profile c');
  });

  it('freshness uses absolute expiry and the minimum-validity window', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    const record = profile({ access_token_expires_at: expiresAt(120, now) });
    expect(record.access_token_expires_at).toBe('2026-11-25T12:02:00Z');
    expect(isFresh(record, 'access', 60, now)).toBe(true);
    expect(isFresh(record, 'access', 180, now)).toBe(false);
    expect(isFresh(record, 'id', 0, now)).toBe(false);
  });
});
