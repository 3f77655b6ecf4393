import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  configPath,
  digest,
  getConfigValue,
  parseConfigText,
  parseConfigValue,
  readConfig,
  replaceConfigText,
  setConfigValue,
  unsetConfigValue,
} from '../../config/config-file.js';
import { readFileIfExists } from '../../config/fs-atomic.js';
import { ensureHome } from '../../config/home.js';
import { flatten } from '../../config/paths.js';
import { parseSecretRef } from '../../config/secrets/resolver.js';
import { LlmcError } from '../../errors.js';
import { isSecretKey, REDACTED } from '../../observability/redact.js';
import type { CliContext } from '../context.js';
import { notice, print, printJson, warn } from '../output.js';

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export async function get(ctx: CliContext, _options: object, key: string): Promise<number> {
  const value = await getConfigValue(ctx.home, key);
  if (value === undefined) {
    throw new LlmcError('ERR_CONFIG_KEY', `${key} is not set`, {
      hint: `set it with \`llmc config set ${key} VALUE\``,
      exitCode: 1,
    });
  }
  if (ctx.json) printJson(ctx, value);
  else print(ctx, typeof value === 'object' ? JSON.stringify(value, null, 2) : show(value));
  return 0;
}

/** A literal (not a reference) under a secret-looking key: never echoed back. */
function isLiteralSecret(key: string, value: unknown): boolean {
  const name = key.split('.').at(-1) ?? key;
  return typeof value === 'string' && isSecretKey(name) && parseSecretRef(value).scheme === 'literal';
}

function shown(key: string, value: unknown): string {
  return isLiteralSecret(key, value) ? REDACTED : show(value);
}

function hideLiteralSecrets(value: unknown, key = ''): unknown {
  if (isLiteralSecret(key, value)) return REDACTED;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, hideLiteralSecrets(inner, name)]));
}

export async function set(ctx: CliContext, _options: object, key: string, raw: string): Promise<void> {
  const value = parseConfigValue(raw);
  await setConfigValue(ctx.home, key, value);
  if (isLiteralSecret(key, value)) {
    warn(
      ctx,
      `${key} holds a literal secret; prefer a reference such as env:VAR, file:PATH or keychain:SERVICE/ACCOUNT`,
    );
  }
  if (ctx.json) printJson(ctx, { key, value: isLiteralSecret(key, value) ? REDACTED : value });
  else notice(ctx, `✓ ${key} = ${shown(key, value)}`);
}

export async function unset(ctx: CliContext, _options: object, key: string): Promise<number> {
  const removed = await unsetConfigValue(ctx.home, key);
  if (ctx.json) printJson(ctx, { key, removed });
  else notice(ctx, removed ? `✓ removed ${key}` : `${key} was not set`);
  return 0;
}

export async function list(ctx: CliContext): Promise<void> {
  const config = await readConfig(ctx.home);
  if (ctx.json) return printJson(ctx, hideLiteralSecrets(config));
  const rows = flatten(config);
  if (rows.length === 0) notice(ctx, `no settings yet in ${configPath(ctx.home)}`);
  for (const [key, value] of rows) print(ctx, `${key}=${shown(key, value)}`);
}

export async function path(ctx: CliContext): Promise<void> {
  if (ctx.json) printJson(ctx, { path: configPath(ctx.home) });
  else print(ctx, configPath(ctx.home));
}

/**
 * Edit a private copy; validate it; swap it in under the lock only if the
 * file did not change meanwhile. An invalid edit is kept for the user and the
 * real file is left alone.
 */
export async function edit(ctx: CliContext): Promise<void> {
  await ensureHome(ctx.home);
  const file = configPath(ctx.home);
  const original = await readFileIfExists(file);
  const dir = await mkdtemp(join(ctx.home, 'edit-'));
  const copy = join(dir, 'config.json');
  await writeFile(copy, original ?? '{\n}\n', { mode: 0o600 });
  const editor = ctx.env.VISUAL || ctx.env.EDITOR || 'vi';
  const result = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'llmc-editor', copy], { stdio: 'inherit' });
  if (result.error || result.status !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new LlmcError('ERR_EDITOR', `the editor "${editor}" did not exit cleanly; config.json is unchanged`, {
      hint: 'set VISUAL or EDITOR to an editor that waits until you close the file (e.g. "code --wait")',
    });
  }
  const text = await readFile(copy, 'utf8');
  if (text === original) {
    await rm(dir, { recursive: true, force: true });
    notice(ctx, 'no changes');
    return;
  }
  try {
    parseConfigText(copy, text);
  } catch (error) {
    if (error instanceof LlmcError) {
      throw new LlmcError(error.code, `${error.message}; config.json is unchanged`, {
        hint: `your edit is kept in ${copy}: fix it and copy it over, or run \`llmc config edit\` again`,
        cause: error,
      });
    }
    throw error;
  }
  try {
    await replaceConfigText(ctx.home, text, digest(original));
  } catch (error) {
    if (error instanceof LlmcError) {
      throw new LlmcError(error.code, error.message, {
        hint: `your edit is kept in ${copy}: run \`llmc config edit\` again and carry it over`,
        cause: error,
      });
    }
    throw error;
  }
  await rm(dir, { recursive: true, force: true });
  notice(ctx, `✓ saved ${file}`);
}
