import { ensureHome, homePath } from '../config/home.js';
import { type DocumentCacheStore, diskDocumentStore, fetchCached } from '../config/http-cache.js';
import { LlmcError } from '../errors.js';
import { cacheOutcomeLabel, discoveryCacheCounter } from './metrics.js';
import { assertSecureUrl, type ProviderProfile } from './providers.js';

/**
 * Issuer metadata and signing keys. Both are public documents cached on disk
 * under the home `cache/` (ETag / Last-Modified revalidation, reused across
 * restarts), so a warm refresh costs one 304 or nothing.
 */

export interface IssuerMetadata {
  issuer: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  device_authorization_endpoint?: string;
  userinfo_endpoint?: string;
  revocation_endpoint?: string;
  jwks_uri?: string;
  id_token_signing_alg_values_supported?: string[];
  code_challenge_methods_supported?: string[];
  grant_types_supported?: string[];
  [key: string]: unknown;
}

export interface DiscoveryOptions {
  home: string;
  store?: DocumentCacheStore;
  fetch?: typeof fetch;
}

export function documentStore(home: string): DocumentCacheStore {
  return diskDocumentStore(homePath(home, 'cache'));
}

const endpointKeys = [
  'authorization_endpoint',
  'token_endpoint',
  'device_authorization_endpoint',
  'userinfo_endpoint',
  'revocation_endpoint',
  'jwks_uri',
] as const;

const trimSlash = (value: string) => value.replace(/\/+$/, '');

/** Discovery (from the issuer or `well_known_url`), or explicit endpoints when discovery is off. */
export async function discover(provider: ProviderProfile, options: DiscoveryOptions): Promise<IssuerMetadata> {
  assertSecureUrl(provider.issuer);
  if (!provider.enable_discovery) return explicitMetadata(provider);
  const url = provider.well_known_url ?? `${trimSlash(provider.issuer)}/.well-known/openid-configuration`;
  assertSecureUrl(url, 'discovery URL');
  await ensureHome(options.home);
  const { body, outcome } = await fetchCached(url, {
    store: options.store ?? documentStore(options.home),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  discoveryCacheCounter().inc({ document: 'discovery', outcome: cacheOutcomeLabel(outcome) });
  const metadata = parseMetadata(url, body);
  checkIssuer(provider, metadata, url);
  for (const key of endpointKeys) {
    const value = metadata[key];
    if (typeof value === 'string') assertSecureUrl(value, key.replace(/_/g, ' '));
  }
  // Explicit endpoints in the provider profile override what was discovered.
  for (const key of endpointKeys) {
    const value = provider.endpoints[key];
    if (value) metadata[key] = assertSecureUrl(value, key.replace(/_/g, ' ')).href;
  }
  return metadata;
}

function parseMetadata(url: string, body: string): IssuerMetadata {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new LlmcError('ERR_OIDC_DISCOVERY', `${url} did not return JSON`, {
      hint: 'check the issuer URL: it must serve /.well-known/openid-configuration',
    });
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { issuer?: unknown }).issuer !== 'string') {
    throw new LlmcError('ERR_OIDC_DISCOVERY', `${url} is not an OpenID Connect discovery document (no "issuer")`, {
      hint: 'check the issuer URL',
    });
  }
  const metadata = parsed as IssuerMetadata;
  for (const key of endpointKeys) {
    if (metadata[key] !== undefined && typeof metadata[key] !== 'string') {
      throw new LlmcError('ERR_OIDC_DISCOVERY', `${url}: "${key}" is not a string`, { hint: 'check the issuer URL' });
    }
  }
  return metadata;
}

/**
 * OpenID Connect Discovery §4.3: the document's issuer must be the one asked
 * for, or anyone serving a document could mint identities for another issuer.
 */
function checkIssuer(provider: ProviderProfile, metadata: IssuerMetadata, url: string): void {
  if (trimSlash(metadata.issuer) === trimSlash(provider.issuer)) return;
  if (metadata.issuer.includes('{tenantid}')) {
    throw new LlmcError('ERR_OIDC_DISCOVERY', `${provider.issuer} is a multi-tenant endpoint without a fixed issuer`, {
      hint: 'pass --tenant with your directory (tenant) id or domain',
    });
  }
  if (provider.issuer_from_document) {
    const asked = new URL(provider.issuer);
    const got = new URL(metadata.issuer);
    if (got.protocol === 'https:' && got.host === asked.host) return;
  }
  throw new LlmcError(
    'ERR_OIDC_DISCOVERY',
    `the discovery document at ${url} names issuer ${metadata.issuer}, not ${provider.issuer}`,
    { hint: 'check --issuer (it must match the IdP\'s "issuer" exactly); refusing a mismatched issuer' },
  );
}

function explicitMetadata(provider: ProviderProfile): IssuerMetadata {
  const metadata: IssuerMetadata = { issuer: provider.issuer };
  for (const key of endpointKeys) {
    const value = provider.endpoints[key];
    if (value) metadata[key] = assertSecureUrl(value, key.replace(/_/g, ' ')).href;
  }
  for (const key of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    if (!metadata[key]) {
      throw new LlmcError('ERR_OIDC_DISCOVERY', `discovery is off for ${provider.name} and "${key}" is not set`, {
        hint: `set oidc_providers.${provider.name}.${key} in config.json, or turn enable_discovery back on`,
      });
    }
  }
  return metadata;
}

/** Minimum time between two forced JWKS downloads (unknown `kid`), across processes. */
export const JWKS_REFETCH_INTERVAL_MS = 60_000;

export interface JwksDocument {
  keys: Array<Record<string, unknown>>;
}

/**
 * The issuer's JWKS. With `unknownKid`, the cached copy is revalidated now —
 * unless it was confirmed less than a minute ago, so a token with a bogus
 * `kid` cannot make us hammer the IdP.
 */
export async function loadJwks(
  jwksUri: string,
  options: DiscoveryOptions & { unknownKid?: boolean },
): Promise<{ jwks: JwksDocument; refetched: boolean }> {
  assertSecureUrl(jwksUri, 'jwks_uri');
  const store = options.store ?? documentStore(options.home);
  let revalidate = false;
  if (options.unknownKid) {
    const cached = await store.get(jwksUri);
    revalidate = !cached || Date.now() - cached.fetched_at >= JWKS_REFETCH_INTERVAL_MS;
    if (!revalidate) return { jwks: parseJwks(jwksUri, cached?.body ?? '{}'), refetched: false };
  }
  const { body, outcome } = await fetchCached(jwksUri, {
    store,
    revalidate,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  discoveryCacheCounter().inc({ document: 'jwks', outcome: cacheOutcomeLabel(outcome) });
  return { jwks: parseJwks(jwksUri, body), refetched: revalidate };
}

function parseJwks(url: string, body: string): JwksDocument {
  try {
    const parsed = JSON.parse(body) as { keys?: unknown };
    if (Array.isArray(parsed.keys)) return parsed as JwksDocument;
  } catch {
    // reported below
  }
  throw new LlmcError('ERR_OIDC_DISCOVERY', `${url} is not a JSON Web Key Set`, { hint: "check the IdP's jwks_uri" });
}
