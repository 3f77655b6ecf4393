import { createHash } from 'node:crypto';
import type Conf from 'conf';
import type { z } from 'zod';
import { LlmcError } from '../errors.js';
import { readFileIfExists, writeFileAtomic } from './fs-atomic.js';
import { ensureHome, homePath } from './home.js';
import { parseJsonWithPosition } from './json-position.js';
import { withLock } from './lock.js';
import { getPath, splitKey, withoutPath, withPath } from './paths.js';
import { type Config, ConfigSchema, configJsonSchema } from './schema.js';
import { closest } from './suggest.js';

/**
 * config.json through `conf`: conf reads it and validates it against the JSON
 * Schema form of the zod schema; this module adds what conf lacks — a
 * cross-process lock around read-modify-write, precise errors for a corrupt
 * file, zod's readable messages for a bad `config set`, and writes that are
 * always temp + fsync + rename (conf writes in place under Snap or on EXDEV).
 */

export function configPath(home: string): string {
  return homePath(home, 'config');
}

/**
 * Loaded only to change config.json: conf pulls in ajv and atomically, whose
 * exit hook (when-exit) re-raises SIGINT — which would end a long-running
 * command's graceful Ctrl-C (onInterrupt) at once. Reading needs none of it.
 */
async function openConf(home: string): Promise<Conf<Config>> {
  const { default: Conf } = await import('conf');
  const path = configPath(home);
  const schema = configJsonSchema();
  try {
    return new Conf<Config>({
      cwd: home,
      configName: 'config',
      configFileMode: 0o600,
      clearInvalidConfig: false,
      accessPropertiesByDotNotation: true,
      schema: schema.properties as never,
      rootSchema: { additionalProperties: false },
      ajvOptions: { strict: false },
      serialize: serializeConfig,
      deserialize: (text) => parseConfigText(path, text),
    });
  } catch (error) {
    if (error instanceof LlmcError) throw error;
    throw new LlmcError('ERR_CONFIG_CORRUPT', `${path} does not match the config schema: ${(error as Error).message}`, {
      hint: `fix it with \`llmc config edit\`, or move it aside to start fresh`,
      cause: error,
    });
  }
}

function serializeConfig(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** JSON.parse with an error that names the file and line:column; then the schema. */
export function parseConfigText(path: string, text: string): Config {
  const parsed = parseJsonWithPosition(text);
  if (!parsed.ok) {
    const { line, column, reason } = parsed.error;
    throw new LlmcError('ERR_CONFIG_CORRUPT', `${path}:${line}:${column}: invalid JSON (${reason})`, {
      hint: 'fix the file by hand or with `llmc config edit`; llmc will not overwrite it',
    });
  }
  const result = ConfigSchema.safeParse(parsed.value);
  if (!result.success) {
    const unknownKey = result.error.issues.some((issue) => issue.code === 'unrecognized_keys');
    throw new LlmcError('ERR_CONFIG_CORRUPT', `${path}: ${describeIssues(result.error)}`, {
      hint: unknownKey
        ? 'a newer llmc may have written it: upgrade llmc, or remove the key with `llmc config edit`; llmc will not overwrite it'
        : 'fix the file with `llmc config edit`; llmc will not overwrite it',
    });
  }
  return result.data;
}

/** The validated config; `{}` when there is no config.json yet. */
export async function readConfig(home: string): Promise<Config> {
  const path = configPath(home);
  const text = await readFileIfExists(path);
  if (text === undefined) return {};
  return parseConfigText(path, text);
}

export async function getConfigValue(home: string, key: string): Promise<unknown> {
  const segments = requireKey(key);
  return getPath(await readConfig(home), segments);
}

/** VALUE is JSON when it parses as JSON (numbers, booleans, arrays), else a string. */
export function parseConfigValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Set one dotted key. The whole resulting config is validated before anything
 * is written, so a bad key or value leaves config.json byte-for-byte unchanged.
 */
export async function setConfigValue(home: string, key: string, value: unknown): Promise<Config> {
  const segments = requireKey(key);
  await ensureHome(home);
  return withLock(configPath(home), async () => {
    const conf = await openConf(home);
    const candidate = withPath(conf.store as Record<string, unknown>, segments, value);
    const next = validateNext(candidate, key, value);
    // Write the object just validated. conf.set(key) would re-read the key through
    // dot-prop, which parses `a[0]` and `a\.b`, turns digit segments into array
    // indexes and silently drops __proto__/constructor paths.
    await writeFileAtomic(configPath(home), serializeConfig(candidate));
    return next;
  });
}

export async function unsetConfigValue(home: string, key: string): Promise<boolean> {
  const segments = requireKey(key);
  await ensureHome(home);
  return withLock(configPath(home), async () => {
    const conf = await openConf(home);
    const current = conf.store as Record<string, unknown>;
    if (getPath(current, segments) === undefined) return false;
    const candidate = withoutPath(current, segments);
    validateNext(candidate, key);
    await writeFileAtomic(configPath(home), serializeConfig(candidate));
    return true;
  });
}

/** Replace the whole file with `text` (from `config edit`) if it is valid and the file did not change meanwhile. */
export async function replaceConfigText(
  home: string,
  text: string,
  expectedDigest: string | undefined,
): Promise<Config> {
  const path = configPath(home);
  const next = parseConfigText(path, text);
  await ensureHome(home);
  return withLock(path, async () => {
    const current = await readFileIfExists(path);
    if (digest(current) !== expectedDigest) {
      throw new LlmcError('ERR_CONFIG_VALUE', `${path} changed while you were editing it`, {
        hint: 'run `llmc config edit` again to edit the current version',
      });
    }
    // Without opening conf: its constructor reads and validates the current
    // file, and a corrupt one is exactly what `config edit` is there to repair.
    await writeFileAtomic(path, serializeConfig(next));
    return next;
  });
}

export function digest(text: string | undefined): string | undefined {
  return text === undefined ? undefined : createHash('sha256').update(text).digest('hex');
}

/** Names that reach an object's prototype instead of one of its keys. */
const reservedSegments = new Set(['__proto__', 'constructor', 'prototype']);

function requireKey(key: string): string[] {
  const segments = splitKey(key);
  if (segments.length === 0) {
    throw new LlmcError('ERR_CONFIG_KEY', `"${key}" is not a config key`, {
      hint: 'keys are dotted paths such as providers.local.base_url',
    });
  }
  const reserved = segments.find((segment) => reservedSegments.has(segment));
  if (reserved !== undefined) {
    throw new LlmcError('ERR_CONFIG_KEY', `"${key}" is not a config key: "${reserved}" cannot be a name`, {
      hint: 'pick another name; see `llmc config list` for the keys that are set',
    });
  }
  return segments;
}

function validateNext(next: Record<string, unknown>, key: string, value?: unknown): Config {
  const result = ConfigSchema.safeParse(next);
  if (result.success) return result.data;
  const unknownKey = result.error.issues.find((issue) => issue.code === 'unrecognized_keys');
  if (unknownKey && unknownKey.code === 'unrecognized_keys') {
    const bad = unknownKey.keys[0] ?? key;
    const known = knownKeysAt(unknownKey.path);
    const guess = closest(bad, known);
    const where = unknownKey.path.length ? `${unknownKey.path.join('.')}.${bad}` : bad;
    throw new LlmcError('ERR_CONFIG_KEY', `unknown config key "${where}"`, {
      hint: guess
        ? `did you mean "${[...unknownKey.path, guess].join('.')}"?`
        : `known keys here: ${known.join(', ') || '(none)'}; see \`llmc config list\``,
    });
  }
  throw new LlmcError('ERR_CONFIG_VALUE', `invalid value for ${key}: ${describeIssues(result.error)}`, {
    hint: `nothing was written; ${howToWrite(result.error, key, value) ?? 'see the README for the shape of config.json'}`,
  });
}

/**
 * VALUE is JSON when it parses as JSON, else text (ARCHITECTURE §9), so `123`
 * is a number and `a,b` is text. When that reading gave the wrong type, say
 * how to write what was probably meant.
 */
function howToWrite(error: z.ZodError, key: string, value: unknown): string | undefined {
  const issue = error.issues.find((candidate) => candidate.path.join('.') === key);
  if (issue?.code !== 'invalid_type') return undefined;
  if (value === null) return `to remove a key: llmc config unset ${key}`;
  if (issue.expected === 'string' && typeof value !== 'string') {
    return `VALUE is read as JSON; to store it as text, quote it: llmc config set ${key} '${JSON.stringify(JSON.stringify(value))}'`;
  }
  if (typeof value !== 'string') return undefined;
  if (issue.expected === 'array') {
    const items = value.split(',').map((item) => item.trim());
    return `write a JSON array: llmc config set ${key} '${JSON.stringify(items)}'`;
  }
  if (
    (issue.expected === 'number' && value.trim() !== '' && Number.isFinite(Number(value))) ||
    (issue.expected === 'boolean' && (value === 'true' || value === 'false'))
  ) {
    return `without quotes: llmc config set ${key} ${value}`;
  }
  return undefined;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** The keys the schema allows at a path, for suggestions. */
function knownKeysAt(path: ReadonlyArray<PropertyKey>): string[] {
  let node: Record<string, unknown> | undefined = configJsonSchema() as never;
  for (const segment of path) {
    const properties = node?.properties as Record<string, Record<string, unknown>> | undefined;
    node = properties?.[String(segment)] ?? (node?.additionalProperties as Record<string, unknown> | undefined);
  }
  return Object.keys((node?.properties as object | undefined) ?? {});
}
