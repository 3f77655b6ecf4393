import { type Keychain, systemKeychain } from '../config/keychain.js';
import { LlmcError } from '../errors.js';
import type { RefreshTokenRef } from './token-cache.js';

/**
 * Where a refresh token lives: the OS keychain (service `llmc`, account = the
 * profile, recorded in token.json as `{"store":"keyring","ref":"llmc:<profile>"}`)
 * or, when no keychain works or the user opted out, inline in the 0600
 * token.json as `{"store":"file","value":…}`.
 */

const SERVICE = 'llmc';
const KEYCHAIN_TIMEOUT_MS = 5_000;

export interface RefreshStoreOptions {
  /** False for `--no-keyring` / `LLMC_KEYRING=0`. */
  keyring: boolean;
  keychain?: Keychain;
}

export interface SavedRefreshToken {
  ref: RefreshTokenRef;
  /** Set when the keychain was wanted but did not work: why, for the one notice. */
  fallbackReason?: string;
}

/** `--no-keyring` wins; otherwise LLMC_KEYRING=0/false/no turns the keychain off. */
export function keyringWanted(env: NodeJS.ProcessEnv, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  const value = env.LLMC_KEYRING?.trim().toLowerCase();
  return !(value === '0' || value === 'false' || value === 'no' || value === 'off');
}

function parseRef(ref: string): { service: string; account: string } {
  const colon = ref.indexOf(':');
  if (colon <= 0) return { service: SERVICE, account: ref };
  return { service: ref.slice(0, colon), account: ref.slice(colon + 1) };
}

/**
 * Store `token` for `profile`. The keychain write is read back, because a
 * locked Secret Service can accept a write and return nothing later; any
 * failure falls back to the file and says why.
 */
export async function saveRefreshToken(
  profile: string,
  token: string,
  options: RefreshStoreOptions,
): Promise<SavedRefreshToken> {
  if (!options.keyring) return { ref: { store: 'file', value: token } };
  const keychain = options.keychain ?? systemKeychain();
  const ref = `${SERVICE}:${profile}`;
  const { service, account } = parseRef(ref);
  try {
    const signal = AbortSignal.timeout(KEYCHAIN_TIMEOUT_MS);
    await keychain.set(service, account, token, signal);
    const back = await keychain.get(service, account, signal);
    if (back === token) return { ref: { store: 'keyring', ref } };
    await keychain.delete(service, account).catch(() => false);
    return { ref: { store: 'file', value: token }, fallbackReason: 'the keychain is locked' };
  } catch (error) {
    // The write may have landed before the read-back failed (e.g. an unlock prompt ate the timeout):
    // token.json will not point at it, so no logout would ever remove it.
    await keychain.delete(service, account, AbortSignal.timeout(KEYCHAIN_TIMEOUT_MS)).catch(() => false);
    const cause = ((error as { cause?: Error }).cause ?? (error as Error)).message ?? 'unavailable';
    return { ref: { store: 'file', value: token }, fallbackReason: cause.split('\n')[0] ?? 'unavailable' };
  }
}

/** The refresh token a ref points at. A keychain that cannot answer means a new login is needed. */
export async function loadRefreshToken(
  ref: RefreshTokenRef,
  profile: string,
  keychain: Keychain = systemKeychain(),
): Promise<string> {
  if (ref.store === 'file') return ref.value;
  const { service, account } = parseRef(ref.ref);
  let value: string | null;
  try {
    value = await keychain.get(service, account, AbortSignal.timeout(KEYCHAIN_TIMEOUT_MS));
  } catch (error) {
    throw new LlmcError('ERR_LOGIN_REQUIRED', `the refresh token is in the OS keychain, which is not available`, {
      hint: `unlock the keychain, or run llmc auth login --profile ${profile} (add --no-keyring to keep it in token.json)`,
      cause: error,
    });
  }
  if (!value) {
    throw new LlmcError('ERR_LOGIN_REQUIRED', `the OS keychain has no refresh token for ${ref.ref} (or it is locked)`, {
      hint: `unlock the keychain, or run llmc auth login --profile ${profile}`,
    });
  }
  return value;
}

/** Replace the token behind an existing ref, keeping its store; keychain failure falls back to the file. */
export async function replaceRefreshToken(
  previous: RefreshTokenRef | undefined,
  profile: string,
  token: string,
  options: RefreshStoreOptions,
): Promise<SavedRefreshToken> {
  if (previous?.store === 'file') return { ref: { store: 'file', value: token } };
  return saveRefreshToken(profile, token, options);
}

/** Remove the keychain entry behind a ref (the file form goes with the profile). */
export async function deleteRefreshToken(
  ref: RefreshTokenRef | undefined,
  keychain: Keychain = systemKeychain(),
): Promise<void> {
  if (ref?.store !== 'keyring') return;
  const { service, account } = parseRef(ref.ref);
  await keychain.delete(service, account, AbortSignal.timeout(KEYCHAIN_TIMEOUT_MS)).catch(() => false);
}
