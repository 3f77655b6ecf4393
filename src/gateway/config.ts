import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { closest } from '../config/suggest.js';
import { LlmcError } from '../errors.js';
import { explain, formatPath, Located, valueAt } from './config-locate.js';
import { ALGORITHMS, type Algorithm, knownKeys, type ParsedConfig, schema, topShape } from './config-schema.js';
import { parseDuration } from './duration.js';
import type { Scopes } from './scopes.js';

/**
 * gateway.yaml (ARCHITECTURE §6): parsed with `yaml` (keeping node ranges),
 * checked with one zod schema, then normalised, so every mistake is reported
 * as `FILE:LINE:COL: what is wrong`. mcp-gateway's spellings are accepted
 * beside ours (`token_ttl_secs` / `token_ttl: 1h`, `cleanup_interval_secs`,
 * `jwks_uri`, `discovery_url`, `auto_discover`).
 */

export { formatPath } from './config-locate.js';
export { ALGORITHMS, type Algorithm } from './config-schema.js';

export interface IssuerConfig {
  issuer: string;
  audiences: string[];
  allowed_domains: string[];
  jwks_uri?: string | undefined;
  discovery_url?: string | undefined;
  auto_discover: boolean;
  algorithms: Algorithm[];
}

export interface PolicyMatch {
  domain?: string | undefined;
  issuer?: string | undefined;
  email?: string | undefined;
  group?: string | undefined;
  claims?: Record<string, string[]> | undefined;
}

export interface PolicyRule {
  name: string;
  match: PolicyMatch;
  scopes: Scopes;
}

export interface StaticKeyConfig {
  /** A secret reference (env:, file:, keychain:, exec:) or a literal. */
  key: string;
  name: string;
  scopes: Scopes;
}

export interface KeyServerConfig {
  enabled: boolean;
  token_ttl_ms: number;
  max_tokens_per_identity: number;
  on_token_cap: 'reject' | 'evict_oldest';
  max_oidc_token_age_secs: number;
  cleanup_interval_ms: number;
  /** Exchanges per identity per minute (0 = unlimited). */
  issue_rate_limit: number;
  admin_token?: string | undefined;
  oidc: IssuerConfig[];
  policies: PolicyRule[];
}

export interface GatewayConfig {
  file: string;
  listen: { host: string; port: number };
  trust_proxy: boolean;
  max_body_bytes: number;
  auth: { api_keys: StaticKeyConfig[] };
  key_server: KeyServerConfig;
  backends: Record<string, Record<string, unknown>>;
  store: { type: 'memory' } | { type: 'redis'; url: string };
  dev: { allow_http_issuers: boolean };
  audit: { file?: string | undefined };
  /** Things worth saying at every start (never errors). */
  warnings: string[];
}

function configError(message: string): LlmcError {
  return new LlmcError('ERR_GATEWAY_CONFIG', message, {
    hint: 'fix gateway.yaml and start again (docs/gateway.md lists every setting)',
  });
}

export async function loadGatewayConfig(file: string): Promise<GatewayConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new LlmcError(
      'ERR_GATEWAY_CONFIG',
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      { hint: 'pass the path of an existing gateway.yaml with --config', cause: error },
    );
  }
  return parseGatewayConfig(file, text);
}

export function parseGatewayConfig(file: string, text: string): GatewayConfig {
  const located = new Located(file, text);
  const syntax = located.doc.errors[0];
  if (syntax) {
    const reason = syntax.code === 'DUPLICATE_KEY' ? 'duplicate key' : syntax.message.split('\n')[0];
    throw configError(`${located.at(syntax.pos[0])}: ${reason}`);
  }
  const raw = located.doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw configError(`${located.at(0)}: expected a map of settings`);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0] as string;
      const suggestion = closest(key, knownKeys(issue.path));
      const path = formatPath([...issue.path, key]);
      throw configError(
        `${located.where(issue.path, key)}: unknown setting ${path}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
      );
    }
    const path = issue.path;
    const missing = valueAt(raw, path) === undefined;
    const where = missing ? located.where(path.slice(0, -1)) : located.where(path);
    throw configError(`${where}: ${formatPath(path)} ${explain(issue, raw)}`);
  }
  return normalise(parsed.data, raw as Record<string, unknown>, located, file);
}

type Parsed = ParsedConfig;

function normalise(data: Parsed, raw: Record<string, unknown>, located: Located, file: string): GatewayConfig {
  const warnings: string[] = [];
  const fail = (path: PropertyKey[], message: string, key?: string): never => {
    throw configError(`${located.where(path, key)}: ${formatPath(key ? [...path, key] : path)} ${message}`);
  };

  for (const key of Object.keys(raw)) {
    if (!(key in topShape)) {
      const suggestion = closest(key, Object.keys(topShape));
      warnings.push(
        `${located.where([], key)}: ${key} is not an llmc gateway setting and is ignored${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
      );
    }
  }

  const listen = parseListen(data, raw, fail);
  const allowHttp = data.dev.allow_http_issuers;
  if (allowHttp) warnings.push('dev.allow_http_issuers is on: plain-http issuers are trusted (development only)');

  const checkUrl = (path: PropertyKey[], value: string) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return fail(path, `is not a URL: ${value}`);
    }
    if (url.protocol === 'https:') return;
    if (url.protocol === 'http:' && allowHttp) return;
    if (url.protocol === 'http:') {
      fail(
        path,
        `is plain http (${value}); issuers, discovery and JWKS must be https (dev.allow_http_issuers: true allows http for development)`,
      );
    }
    fail(path, `must be an https URL, got ${value}`);
  };

  const ks = data.key_server;
  const ksPath = ['key_server'];
  let tokenTtlMs = 3_600_000;
  let cleanupMs = 60_000;
  if (ks) {
    if (ks.token_ttl !== undefined && ks.token_ttl_secs !== undefined) {
      fail(ksPath, 'is given twice; keep token_ttl or token_ttl_secs', 'token_ttl_secs');
    }
    if (ks.token_ttl !== undefined) tokenTtlMs = durationMs(ks.token_ttl, [...ksPath, 'token_ttl'], fail);
    if (ks.token_ttl_secs !== undefined) tokenTtlMs = ks.token_ttl_secs * 1000;
    if (tokenTtlMs < 1000) fail([...ksPath, 'token_ttl'], 'must be at least 1s');
    if (ks.cleanup_interval !== undefined && ks.cleanup_interval_secs !== undefined) {
      fail(ksPath, 'is given twice; keep cleanup_interval or cleanup_interval_secs', 'cleanup_interval_secs');
    }
    if (ks.cleanup_interval !== undefined)
      cleanupMs = durationMs(ks.cleanup_interval, [...ksPath, 'cleanup_interval'], fail);
    if (ks.cleanup_interval_secs !== undefined) cleanupMs = ks.cleanup_interval_secs * 1000;
    if (cleanupMs < 1000) fail([...ksPath, 'cleanup_interval'], 'must be at least 1s');
  }

  const issuers: IssuerConfig[] = (ks?.oidc ?? []).map((entry, index) => {
    const path = [...ksPath, 'oidc', index];
    checkUrl([...path, 'issuer'], entry.issuer);
    if (entry.jwks_uri) checkUrl([...path, 'jwks_uri'], entry.jwks_uri);
    if (entry.discovery_url) checkUrl([...path, 'discovery_url'], entry.discovery_url);
    return {
      issuer: entry.issuer,
      audiences: entry.audiences,
      allowed_domains: entry.allowed_domains.map((domain) => domain.toLowerCase()),
      jwks_uri: entry.jwks_uri,
      discovery_url: entry.discovery_url,
      auto_discover: entry.auto_discover,
      algorithms: entry.algorithms ?? [...ALGORITHMS],
    };
  });
  const seen = new Set<string>();
  for (const [index, entry] of issuers.entries()) {
    if (seen.has(entry.issuer))
      fail([...ksPath, 'oidc', index, 'issuer'], `repeats ${entry.issuer}; list each issuer once`);
    seen.add(entry.issuer);
  }

  const policies: PolicyRule[] = (ks?.policies ?? []).map((entry, index) => {
    const path = [...ksPath, 'policies', index];
    const name = entry.name ?? `policies[${index}]`;
    const match: PolicyMatch = {
      domain: entry.match.domain?.toLowerCase(),
      issuer: entry.match.issuer,
      email: entry.match.email,
      group: entry.match.group,
      claims: entry.match.claims
        ? Object.fromEntries(
            Object.entries(entry.match.claims).map(([claim, globs]) => [claim, Array.isArray(globs) ? globs : [globs]]),
          )
        : undefined,
    };
    if (Object.values(match).every((value) => value === undefined)) {
      warnings.push(
        `${located.where([...path, 'match'])}: ${name} has an empty match and admits every verified identity`,
      );
    }
    if (match.issuer && !seen.has(match.issuer)) {
      warnings.push(
        `${located.where([...path, 'match', 'issuer'])}: ${name} matches ${match.issuer}, which is not under key_server.oidc, so it never matches`,
      );
    }
    const scopes: Scopes = {
      backends: entry.scopes.backends ?? ['*'],
      tools: entry.scopes.tools ?? ['*'],
      rate_limit: entry.scopes.rate_limit,
    };
    for (const kind of ['backends', 'tools'] as const) {
      if (entry.scopes[kind]?.length === 0) {
        warnings.push(
          `${located.where([...path, 'scopes', kind])}: ${name} grants no ${kind} (an empty list means none here; mcp-gateway read it as all — write ["*"] for all)`,
        );
      }
    }
    return { name, match, scopes };
  });

  if (ks?.enabled && issuers.length === 0) warnings.push('key_server has no oidc issuers: every exchange is refused');
  if (ks?.enabled && issuers.length > 0 && policies.length === 0) {
    warnings.push('key_server has no policies: every exchange is refused with access_denied');
  }

  const apiKeys: StaticKeyConfig[] = [];
  if (data.auth.bearer_token) {
    apiKeys.push({ key: data.auth.bearer_token, name: 'bearer_token', scopes: allScopes() });
  }
  for (const [index, entry] of data.auth.api_keys.entries()) {
    if (typeof entry === 'string') {
      apiKeys.push({ key: entry, name: `api_keys[${index}]`, scopes: allScopes() });
    } else {
      apiKeys.push({
        key: entry.key,
        name: entry.name ?? `api_keys[${index}]`,
        scopes: {
          backends: entry.backends ?? ['*'],
          tools: entry.tools ?? entry.allowed_tools ?? ['*'],
          rate_limit: entry.rate_limit,
        },
      });
    }
  }

  if (data.store.type === 'redis') {
    try {
      const url = new URL(data.store.url);
      if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error('scheme');
    } catch {
      fail(['store', 'url'], `must be a redis:// or rediss:// URL, got ${data.store.url}`);
    }
  }

  return {
    file,
    listen,
    trust_proxy: data.trust_proxy,
    max_body_bytes: data.max_body_bytes,
    auth: { api_keys: apiKeys },
    key_server: {
      enabled: ks?.enabled ?? false,
      token_ttl_ms: tokenTtlMs,
      max_tokens_per_identity: ks?.max_tokens_per_identity ?? 5,
      on_token_cap: ks?.on_token_cap ?? 'reject',
      max_oidc_token_age_secs: ks?.max_oidc_token_age_secs ?? 300,
      cleanup_interval_ms: cleanupMs,
      issue_rate_limit: ks?.issue_rate_limit ?? 30,
      admin_token: ks?.admin_token,
      oidc: issuers,
      policies,
    },
    backends: data.backends,
    store: data.store,
    dev: data.dev,
    audit: { file: data.audit.file },
    warnings,
  };
}

function allScopes(): Scopes {
  return { backends: ['*'], tools: ['*'], rate_limit: 0 };
}

function durationMs(
  value: number | string,
  path: PropertyKey[],
  fail: (path: PropertyKey[], message: string) => never,
): number {
  if (typeof value === 'number') return value * 1000;
  const ms = parseDuration(value);
  if (ms === undefined) return fail(path, `expected a duration like 1h, 30m or 90s, got "${value}"`);
  return ms;
}

function parseListen(
  data: Parsed,
  raw: Record<string, unknown>,
  fail: (path: PropertyKey[], message: string) => never,
): { host: string; port: number } {
  const port = (value: number, path: PropertyKey[]) => {
    if (!Number.isInteger(value) || value < 0 || value > 65_535) fail(path, `port must be 0–65535, got ${value}`);
    return value;
  };
  if (data.listen === undefined) {
    const server = data.server;
    if (server && (server.host !== undefined || server.port !== undefined)) {
      return { host: server.host ?? '127.0.0.1', port: port(server.port ?? 8080, ['server', 'port']) };
    }
    return { host: '127.0.0.1', port: 8080 };
  }
  if (typeof data.listen === 'number') return { host: '127.0.0.1', port: port(data.listen, ['listen']) };
  const text = String(raw.listen);
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d+)$/.exec(text);
  if (!match) return fail(['listen'], `expected HOST:PORT (e.g. 127.0.0.1:8080), got "${text}"`);
  const host = match[1] ?? (match[2] || '127.0.0.1');
  return { host, port: port(Number(match[3]), ['listen']) };
}
