import { LlmcError } from '../../errors.js';
import { type Keychain, systemKeychain } from '../keychain.js';
import type { SecretsProvider } from './types.js';

/** `keychain:SERVICE/ACCOUNT` — an OS keychain entry. */
export function keychainProvider(keychain: Keychain = systemKeychain()): SecretsProvider {
  return {
    scheme: 'keychain',
    ttlMs: 30_000,
    async resolve(target) {
      const slash = target.indexOf('/');
      if (slash <= 0 || slash === target.length - 1) {
        throw new LlmcError('ERR_SECRET_REF', `keychain reference "keychain:${target}" needs SERVICE/ACCOUNT`, {
          hint: 'write it as keychain:llmc/anthropic',
        });
      }
      const value = await keychain.get(target.slice(0, slash), target.slice(slash + 1));
      if (value === null) {
        throw new LlmcError('ERR_SECRET_UNAVAILABLE', `no keychain entry for ${target}, or the keychain is locked`, {
          hint: 'store it (e.g. `secret-tool store --label llmc service SERVICE username ACCOUNT`) or unlock the keychain',
        });
      }
      return value;
    },
  };
}
