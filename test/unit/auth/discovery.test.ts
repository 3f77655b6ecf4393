import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discover } from '../../../src/auth/discovery.js';
import type { ProviderProfile } from '../../../src/auth/providers.js';
import type { LlmcError } from '../../../src/errors.js';
import { sharedRegistry } from '../../../src/observability/metrics.js';
import { tempHome } from '../../helpers/cli.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/jwt-issuer.js';

let issuer: TestIssuer;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(async () => {
  await issuer.close();
  for (const cleanup of cleanups) await cleanup();
});

const provider = (extra: Partial<ProviderProfile> = {}): ProviderProfile => ({
  name: 'custom',
  issuer: issuer.issuer,
  client_id: 'c',
  enable_discovery: true,
  endpoints: {},
  scopes: ['openid'],
  authorization_params: {},
  ...extra,
});

async function outcomes(): Promise<Record<string, number>> {
  const metric = await sharedRegistry().getSingleMetric('llmc_oidc_discovery_cache_total')?.get();
  const out: Record<string, number> = {};
  for (const value of metric?.values ?? []) {
    if (value.labels.document === 'discovery') out[String(value.labels.outcome)] = value.value;
  }
  return out;
}

describe('discovery', () => {
  it('caches the document on disk; a later process revalidates with a 304 and reuses it', async () => {
    const made = await tempHome();
    cleanups.push(made.cleanup);
    const before = await outcomes();
    const first = await discover(provider(), { home: made.home });
    expect(first.issuer).toBe(issuer.issuer);
    expect(await readdir(join(made.home, 'cache'))).toHaveLength(1);
    const notModified = issuer.requests.notModified;
    // A new call with a new store instance over the same directory: as after a restart.
    const second = await discover(provider(), { home: made.home });
    expect(second).toEqual(first);
    expect(issuer.requests.notModified).toBe(notModified + 1);
    const after = await outcomes();
    expect((after.miss ?? 0) - (before.miss ?? 0)).toBe(1);
    expect((after.revalidated ?? 0) - (before.revalidated ?? 0)).toBe(1);
  });

  it('uses an explicit well_known_url', async () => {
    const made = await tempHome();
    cleanups.push(made.cleanup);
    const metadata = await discover(provider({ well_known_url: issuer.discoveryUrl }), { home: made.home });
    expect(metadata.jwks_uri).toBe(issuer.jwksUrl);
  });

  it('with discovery off, uses the configured endpoints and requires the essential ones', async () => {
    const endpoints = {
      authorization_endpoint: 'https://idp.example.com/authorize',
      token_endpoint: 'https://idp.example.com/token',
      jwks_uri: 'https://idp.example.com/keys',
    };
    const metadata = await discover(
      provider({ issuer: 'https://idp.example.com', enable_discovery: false, endpoints }),
      {
        home: '/nonexistent',
      },
    );
    expect(metadata).toMatchObject({ issuer: 'https://idp.example.com', ...endpoints });
    await expect(
      discover(provider({ issuer: 'https://idp.example.com', enable_discovery: false, endpoints: {} }), {
        home: '/nonexistent',
      }),
    ).rejects.toThrow(/"authorization_endpoint" is not set/);
  });

  it('refuses a document for another issuer, and plain-http endpoints off loopback', async () => {
    const made = await tempHome();
    cleanups.push(made.cleanup);
    const error = await discover(provider({ issuer: `${issuer.issuer}/other`, well_known_url: issuer.discoveryUrl }), {
      home: made.home,
    }).catch((caught: LlmcError) => caught);
    expect((error as LlmcError).message).toContain(`names issuer ${issuer.issuer}, not ${issuer.issuer}/other`);
  });
});
