import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciLogin } from '../../../src/auth/ci-login.js';
import type { Keychain } from '../../../src/config/keychain.js';
import { tempHome } from '../../helpers/cli.js';
import { type Harness, startHarness } from '../../helpers/gateway-harness.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/jwt-issuer.js';

describe('ciLogin over a profile that had a browser login', () => {
  let idp: TestIssuer;
  let gw: Harness;
  beforeAll(async () => {
    idp = await startTestIssuer();
    gw = await startHarness({ issuers: [{ issuer: idp.issuer }] });
  });
  afterAll(async () => {
    await gw.close();
    await idp.close();
  });

  it('removes the old refresh token from the keychain, since nothing will reference it', async () => {
    const { home, cleanup } = await tempHome();
    try {
      await mkdir(home, { recursive: true, mode: 0o700 });
      const old = {
        provider: 'google',
        issuer: 'https://accounts.google.com',
        client_id: 'x',
        subject: 'ana',
        refresh_token: { store: 'keyring', ref: 'llmc:ci' },
        updated_at: '2026-11-25T10:00:00Z',
      };
      await writeFile(join(home, 'token.json'), JSON.stringify({ version: 1, profiles: { ci: old } }), { mode: 0o600 });
      const entries = new Map([
        ['llmc/ci', 'old-refresh-token'],
        ['llmc/other', 'keep-me'],
      ]);
      const keychain: Keychain = {
        get: async (service, account) => entries.get(`${service}/${account}`) ?? null,
        set: async (service, account, secret) => void entries.set(`${service}/${account}`, secret),
        delete: async (service, account) => entries.delete(`${service}/${account}`),
      };
      const { record } = await ciLogin({
        home,
        env: { JOB_JWT: await idp.idToken() },
        provider: 'ci',
        profile: 'ci',
        source: { kind: 'env', variable: 'JOB_JWT' },
        gateway: gw.url,
        keychain,
      });
      expect(record.access_token).toMatch(/^mcpgw_/);
      expect([...entries.keys()]).toEqual(['llmc/other']);
      const stored = JSON.parse(await readFile(join(home, 'token.json'), 'utf8')).profiles.ci;
      expect(stored.refresh_token).toBeUndefined();
      expect(stored.ci).toEqual({ kind: 'env', variable: 'JOB_JWT' });
    } finally {
      await cleanup();
    }
  });
});
