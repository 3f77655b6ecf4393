import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LlmcError } from '../errors.js';
import { DIR_MODE, writeFileAtomic } from './fs-atomic.js';

/**
 * GET with HTTP revalidation for small public documents (OIDC discovery,
 * JWKS): a fresh entry (Cache-Control max-age) is used without a request; a
 * stale one is revalidated with If-None-Match / If-Modified-Since and a 304
 * reuses it; when the server cannot be reached a cached copy is served stale
 * rather than failing. The store decides where entries live (disk for the
 * CLI so they survive restarts, memory for a server).
 */

export interface CachedDocument {
  url: string;
  body: string;
  etag?: string | undefined;
  last_modified?: string | undefined;
  /** When the body was last confirmed by the server (epoch ms). */
  fetched_at: number;
  /** Fresh until (epoch ms), from Cache-Control max-age / Expires; 0 = revalidate every time. */
  fresh_until: number;
}

export interface DocumentCacheStore {
  get(url: string): Promise<CachedDocument | undefined>;
  set(entry: CachedDocument): Promise<void>;
}

export type CacheOutcome = 'fresh' | 'revalidated' | 'fetched' | 'stale';

export interface FetchCachedOptions {
  store: DocumentCacheStore;
  /** Skip freshness and revalidate now (e.g. a JWKS with an unknown `kid`). */
  revalidate?: boolean;
  timeoutMs?: number;
  /** Upper bound on freshness whatever the server says (default 24 h). */
  maxFreshMs?: number;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

export interface FetchCachedResult {
  body: string;
  outcome: CacheOutcome;
}

export async function fetchCached(url: string, options: FetchCachedOptions): Promise<FetchCachedResult> {
  const cached = await options.store.get(url);
  const now = Date.now();
  if (cached && !options.revalidate && cached.fresh_until > now) return { body: cached.body, outcome: 'fresh' };
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (cached?.etag) headers['if-none-match'] = cached.etag;
  if (cached?.last_modified) headers['if-modified-since'] = cached.last_modified;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      headers,
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    if (cached) return { body: cached.body, outcome: 'stale' };
    throw new LlmcError('ERR_IDP_UNREACHABLE', `could not reach ${new URL(url).origin}`, {
      hint: 'check the network and the issuer URL',
      cause: error,
    });
  }
  const freshUntil = Date.now() + freshness(response.headers, options.maxFreshMs ?? 86_400_000);
  if (response.status === 304 && cached) {
    await response.body?.cancel();
    const entry = { ...cached, fetched_at: Date.now(), fresh_until: freshUntil };
    await options.store.set(entry);
    return { body: cached.body, outcome: 'revalidated' };
  }
  if (!response.ok) {
    await response.body?.cancel();
    if (cached && response.status >= 500) return { body: cached.body, outcome: 'stale' };
    throw new LlmcError('ERR_OIDC_DISCOVERY', `${url} answered HTTP ${response.status}`, {
      hint: 'check the issuer URL and that it serves OpenID Connect metadata',
    });
  }
  const body = await response.text();
  await options.store.set({
    url,
    body,
    etag: response.headers.get('etag') ?? undefined,
    last_modified: response.headers.get('last-modified') ?? undefined,
    fetched_at: Date.now(),
    fresh_until: freshUntil,
  });
  return { body, outcome: 'fetched' };
}

function freshness(headers: Headers, cap: number): number {
  const control = headers.get('cache-control') ?? '';
  if (/no-cache|no-store/i.test(control)) return 0;
  const maxAge = /max-age=(\d+)/i.exec(control)?.[1];
  if (maxAge !== undefined) return Math.min(Number(maxAge) * 1000, cap);
  const expires = headers.get('expires');
  if (expires) {
    const at = Date.parse(expires);
    if (!Number.isNaN(at)) return Math.max(0, Math.min(at - Date.now(), cap));
  }
  return 0;
}

/** Entries as 0600 files under `dir` (home `cache/`), one per URL. */
export function diskDocumentStore(dir: string): DocumentCacheStore {
  const file = (url: string) => join(dir, `${createHash('sha256').update(url).digest('hex').slice(0, 32)}.json`);
  return {
    async get(url) {
      try {
        const entry = JSON.parse(await readFile(file(url), 'utf8')) as CachedDocument;
        return entry.url === url && typeof entry.body === 'string' ? entry : undefined;
      } catch {
        return undefined;
      }
    },
    async set(entry) {
      await mkdir(dir, { recursive: true, mode: DIR_MODE });
      await writeFileAtomic(file(entry.url), JSON.stringify(entry));
    },
  };
}

export function memoryDocumentStore(): DocumentCacheStore {
  const entries = new Map<string, CachedDocument>();
  return {
    async get(url) {
      return entries.get(url);
    },
    async set(entry) {
      entries.set(entry.url, entry);
    },
  };
}
