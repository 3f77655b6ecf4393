import { readFileIfExists, writeFileAtomic } from '../config/fs-atomic.js';
import { ensureHome, homePath } from '../config/home.js';
import { parseJsonWithPosition } from '../config/json-position.js';
import { isObject } from '../config/paths.js';
import { LlmcError } from '../errors.js';

/**
 * token.json v1 (ARCHITECTURE §3): the identity cache. This module is on the
 * `llmc auth token` fast path, so it validates the file with a small
 * hand-written schema instead of zod (whose import alone costs ~90 ms, more
 * than the whole command may). The edge is still strict: every known field is
 * type-checked, times must be RFC 3339, and a newer `version` is refused.
 * Unknown fields inside a profile are kept as they are (later v1 additions
 * such as `gateway` written by other commands survive our writes).
 */

export const TOKEN_FILE_VERSION = 1;

export type RefreshTokenRef = { store: 'keyring'; ref: string } | { store: 'file'; value: string };

export interface ProfileRecord {
  provider: string;
  issuer: string;
  client_id: string;
  subject: string;
  email?: string | undefined;
  email_verified?: boolean | undefined;
  name?: string | undefined;
  picture?: string | undefined;
  groups?: string[] | undefined;
  domain?: string | undefined;
  id_token?: string | undefined;
  id_token_expires_at?: string | undefined;
  access_token?: string | undefined;
  access_token_expires_at?: string | undefined;
  refresh_token?: RefreshTokenRef | undefined;
  scope?: string | undefined;
  /** A secret reference (`env:VAR`), never the secret, for confidential clients. */
  client_secret_ref?: string | undefined;
  updated_at: string;
  [extra: string]: unknown;
}

export interface TokenFile {
  version: 1;
  default_profile?: string | undefined;
  profiles: Record<string, ProfileRecord>;
}

export function tokenPath(home: string): string {
  return homePath(home, 'token');
}

export function emptyTokenFile(): TokenFile {
  return { version: TOKEN_FILE_VERSION, profiles: {} };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

class Invalid extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

function str(record: Record<string, unknown>, key: string, path: string, required = false): void {
  const value = record[key];
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || (required && value === '')) throw new Invalid(`${path}.${key}`, 'expected a string');
}

function time(record: Record<string, unknown>, key: string, path: string, required = false): void {
  str(record, key, path, required);
  const value = record[key];
  if (typeof value === 'string' && (!RFC3339.test(value) || Number.isNaN(Date.parse(value)))) {
    throw new Invalid(`${path}.${key}`, 'expected an RFC 3339 time such as 2026-11-24T18:00:00Z');
  }
}

function validateProfile(value: unknown, path: string): ProfileRecord {
  if (!isObject(value)) throw new Invalid(path, 'expected an object');
  for (const key of ['provider', 'issuer', 'client_id', 'subject']) str(value, key, path, true);
  for (const key of ['email', 'name', 'picture', 'domain', 'id_token', 'access_token', 'scope', 'client_secret_ref']) {
    str(value, key, path);
  }
  for (const key of ['id_token_expires_at', 'access_token_expires_at']) time(value, key, path);
  time(value, 'updated_at', path, true);
  if (value.email_verified !== undefined && typeof value.email_verified !== 'boolean') {
    throw new Invalid(`${path}.email_verified`, 'expected true or false');
  }
  if (
    value.groups !== undefined &&
    !(Array.isArray(value.groups) && value.groups.every((g) => typeof g === 'string'))
  ) {
    throw new Invalid(`${path}.groups`, 'expected an array of strings');
  }
  const refresh = value.refresh_token;
  if (refresh !== undefined) {
    const where = `${path}.refresh_token`;
    if (!isObject(refresh))
      throw new Invalid(where, 'expected {"store":"keyring","ref":…} or {"store":"file","value":…}');
    if (refresh.store === 'keyring') str(refresh, 'ref', where, true);
    else if (refresh.store === 'file') str(refresh, 'value', where, true);
    else throw new Invalid(`${where}.store`, 'expected "keyring" or "file"');
  }
  if (value.gateway !== undefined && !isObject(value.gateway))
    throw new Invalid(`${path}.gateway`, 'expected an object');
  return value as ProfileRecord;
}

/** Parse and validate token.json text; errors name the file and the position or field. */
export function parseTokenFile(path: string, text: string): TokenFile {
  const parsed = parseJsonWithPosition(text);
  if (!parsed.ok) {
    const { line, column, reason } = parsed.error;
    throw corrupt(path, `${path}:${line}:${column}: invalid JSON (${reason})`);
  }
  const root = parsed.value;
  try {
    if (!isObject(root)) throw new Invalid('(root)', 'expected an object');
    if (typeof root.version !== 'number') throw new Invalid('version', 'expected a number');
    if (root.version > TOKEN_FILE_VERSION) {
      throw new LlmcError(
        'ERR_CONFIG_VERSION',
        `${path} is version ${root.version}, newer than this llmc understands (${TOKEN_FILE_VERSION})`,
        { hint: 'upgrade llmc; this file was written by a newer version and is left untouched' },
      );
    }
    if (root.version !== TOKEN_FILE_VERSION) throw new Invalid('version', `expected ${TOKEN_FILE_VERSION}`);
    if (root.default_profile !== undefined && typeof root.default_profile !== 'string') {
      throw new Invalid('default_profile', 'expected a string');
    }
    if (!isObject(root.profiles)) throw new Invalid('profiles', 'expected an object');
    const profiles: Record<string, ProfileRecord> = {};
    for (const [name, profile] of Object.entries(root.profiles)) {
      profiles[name] = validateProfile(profile, `profiles.${name}`);
    }
    return { ...root, version: TOKEN_FILE_VERSION, profiles } as TokenFile;
  } catch (error) {
    if (error instanceof Invalid) throw corrupt(path, `${path}: ${error.path}: ${error.message}`);
    throw error;
  }
}

function corrupt(path: string, message: string): LlmcError {
  return new LlmcError('ERR_FILE_CORRUPT', message, {
    hint: `fix or remove ${path} by hand (llmc will not overwrite it), then run \`llmc auth login\``,
  });
}

/** The validated token file; undefined when there is none yet. */
export async function readTokenFile(home: string): Promise<TokenFile | undefined> {
  const path = tokenPath(home);
  const text = await readFileIfExists(path);
  if (text === undefined) return undefined;
  return parseTokenFile(path, text);
}

/** Write the whole file (0600, temp + fsync + rename). Call only while holding `withTokenLock`. */
export async function writeTokenFile(home: string, data: TokenFile): Promise<void> {
  await writeFileAtomic(tokenPath(home), `${JSON.stringify(data, null, 2)}\n`);
}

/** Run `fn` holding the cross-process lock on token.json (shared by login, refresh and logout). */
export async function withTokenLock<T>(home: string, fn: () => Promise<T>): Promise<T> {
  await ensureHome(home);
  // Loaded here, not at the top: the read-only fast path (`auth token`) never locks.
  const { withLock } = await import('../config/lock.js');
  return withLock(tokenPath(home), fn, { timeoutMs: 30_000 });
}

/**
 * Read-modify-write under the lock. A corrupt or newer file throws before
 * `fn` runs, so it is never overwritten. `fn` returns the new content, or
 * undefined to leave the file as it is.
 */
export async function updateTokenFile(
  home: string,
  fn: (current: TokenFile) => TokenFile | undefined | Promise<TokenFile | undefined>,
): Promise<TokenFile | undefined> {
  return withTokenLock(home, async () => {
    const current = (await readTokenFile(home)) ?? emptyTokenFile();
    const next = await fn(current);
    if (next) await writeTokenFile(home, next);
    return next;
  });
}

/** `--profile`/`LLMC_PROFILE`, else the file's default, else its only profile. */
export function selectProfileName(file: TokenFile | undefined, requested: string | undefined): string | undefined {
  if (requested) return requested;
  if (!file) return undefined;
  if (file.default_profile && file.profiles[file.default_profile]) return file.default_profile;
  const names = Object.keys(file.profiles);
  return names.length === 1 ? names[0] : undefined;
}

export function loginRequired(message: string, profile?: string): LlmcError {
  return new LlmcError('ERR_LOGIN_REQUIRED', message, {
    hint: profile ? `run llmc auth login --profile ${profile}` : 'run llmc auth login',
  });
}

/** The profile to act on, or exit 3 with `run llmc auth login`. */
export function requireProfile(
  file: TokenFile | undefined,
  requested: string | undefined,
): { name: string; profile: ProfileRecord } {
  const name = selectProfileName(file, requested);
  if (!file || Object.keys(file.profiles).length === 0) throw loginRequired('not logged in');
  if (!name) {
    throw new LlmcError('ERR_LOGIN_REQUIRED', 'several profiles are logged in and none is the default', {
      hint: `pass --profile with one of: ${Object.keys(file.profiles).join(', ')}`,
    });
  }
  const profile = file.profiles[name];
  if (!profile) throw loginRequired(`profile "${name}" is not logged in`, name);
  return { name, profile };
}

/** Seconds until `at` (negative when past); undefined when unknown. */
export function secondsLeft(at: string | undefined, now = Date.now()): number | undefined {
  if (!at) return undefined;
  return Math.floor((Date.parse(at) - now) / 1000);
}

/** Whether the token of `kind` is present and valid for at least `minValidS` more seconds. */
export function isFresh(profile: ProfileRecord, kind: 'access' | 'id', minValidS: number, now = Date.now()): boolean {
  const token = kind === 'access' ? profile.access_token : profile.id_token;
  const left = secondsLeft(kind === 'access' ? profile.access_token_expires_at : profile.id_token_expires_at, now);
  return token !== undefined && token !== '' && left !== undefined && left >= minValidS;
}

/** An absolute RFC 3339 time `seconds` from now (token.json never stores relative expiry). */
export function expiresAt(seconds: number, now = Date.now()): string {
  return new Date(now + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function nowIso(now = Date.now()): string {
  return new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
