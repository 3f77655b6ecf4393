import { randomBytes } from 'node:crypto';
import { LlmcError } from '../errors.js';

/**
 * The OS keychain through @napi-rs/keyring: Secret Service on Linux (pinned,
 * so entries never land in the kernel keyring that logout empties), Keychain
 * on macOS, Credential Manager on Windows. Loaded lazily: the native module
 * stays off every path that does not touch a secret.
 */
export interface Keychain {
  get(service: string, account: string, signal?: AbortSignal): Promise<string | null>;
  set(service: string, account: string, secret: string, signal?: AbortSignal): Promise<void>;
  delete(service: string, account: string, signal?: AbortSignal): Promise<boolean>;
}

type KeyringModule = typeof import('@napi-rs/keyring');

let modulePromise: Promise<KeyringModule> | undefined;

function loadModule(): Promise<KeyringModule> {
  modulePromise ??= import('@napi-rs/keyring');
  return modulePromise;
}

export function systemKeychain(): Keychain {
  const entry = async (service: string, account: string) => {
    const { AsyncEntry } = await loadModule();
    return new AsyncEntry(
      service,
      account,
      process.platform === 'linux' ? { linux: { store: 'secret-service' } } : null,
    );
  };
  const wrap = async <T>(what: string, op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (error) {
      throw new LlmcError('ERR_KEYCHAIN', `the OS keychain could not ${what}: ${(error as Error).message}`, {
        hint: 'unlock the keychain (on Linux: a running, unlocked Secret Service such as gnome-keyring), or use --no-keyring',
        cause: error,
      });
    }
  };
  return {
    get: (service, account, signal) =>
      wrap('read a secret', async () => (await entry(service, account)).getPassword(signal ?? null)),
    set: (service, account, secret, signal) =>
      wrap('store a secret', async () => (await entry(service, account)).setPassword(secret, signal ?? null)),
    delete: (service, account, signal) =>
      wrap('delete a secret', async () => (await entry(service, account)).deleteCredential(signal ?? null)),
  };
}

export interface KeychainProbe {
  ok: boolean;
  reason?: string;
}

/**
 * Whether the keychain really stores and returns secrets: a locked Secret
 * Service can accept a write and then read back null, so write, read, delete.
 */
export async function probeKeychain(keychain: Keychain = systemKeychain(), timeoutMs = 5_000): Promise<KeychainProbe> {
  const account = `probe-${process.pid}-${randomBytes(4).toString('hex')}`;
  const value = randomBytes(16).toString('hex');
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    await keychain.set('llmc-probe', account, value, signal);
    const back = await keychain.get('llmc-probe', account, signal);
    await keychain.delete('llmc-probe', account, signal).catch(() => false);
    if (back !== value) return { ok: false, reason: 'the keychain is locked (a stored secret read back empty)' };
    return { ok: true };
  } catch (error) {
    const cause = (error as { cause?: Error }).cause ?? (error as Error);
    return { ok: false, reason: cause.message.split('\n')[0] ?? 'unavailable' };
  }
}
