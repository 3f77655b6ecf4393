import { describe, expect, it } from 'vitest';
import { saveRefreshToken } from '../../../src/auth/refresh-store.js';
import type { Keychain } from '../../../src/config/keychain.js';

/** An in-memory keychain whose reads can be made to fail. */
function fakeKeychain(options: { failGet?: boolean } = {}): Keychain & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    async get(service, account) {
      if (options.failGet) throw new Error('the keychain could not read a secret: timed out');
      return entries.get(`${service}/${account}`) ?? null;
    },
    async set(service, account, secret) {
      entries.set(`${service}/${account}`, secret);
    },
    async delete(service, account) {
      return entries.delete(`${service}/${account}`);
    },
  };
}

describe('saveRefreshToken', () => {
  it('stores in the keychain and reads it back', async () => {
    const keychain = fakeKeychain();
    const saved = await saveRefreshToken('google', 'rt-1', { keyring: true, keychain });
    expect(saved).toEqual({ ref: { store: 'keyring', ref: 'llmc:google' } });
    expect(keychain.entries.get('llmc/google')).toBe('rt-1');
  });

  it('a failed read-back falls back to the file and leaves no copy behind in the keychain', async () => {
    const keychain = fakeKeychain({ failGet: true });
    const saved = await saveRefreshToken('google', 'rt-1', { keyring: true, keychain });
    expect(saved.ref).toEqual({ store: 'file', value: 'rt-1' });
    expect(saved.fallbackReason).toContain('timed out');
    // token.json points at the file copy, so a keychain copy would outlive every logout.
    expect(keychain.entries.size).toBe(0);
  });

  it('--no-keyring never touches the keychain', async () => {
    const keychain = fakeKeychain();
    const saved = await saveRefreshToken('google', 'rt-1', { keyring: false, keychain });
    expect(saved).toEqual({ ref: { store: 'file', value: 'rt-1' } });
    expect(keychain.entries.size).toBe(0);
  });
});
