import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadJwks } from '../../../src/auth/discovery.js';
import { jwksLoader, verifyIdToken } from '../../../src/auth/verify.js';
import { memoryDocumentStore } from '../../../src/config/http-cache.js';
import { LlmcError } from '../../../src/errors.js';
import { sharedRegistry } from '../../../src/observability/metrics.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/jwt-issuer.js';

const CLIENT = 'llmc-cli';
let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await startTestIssuer({ audience: CLIENT });
});
afterAll(() => issuer.close());

const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  iss: issuer.issuer,
  aud: CLIENT,
  sub: 'user-1',
  nonce: 'n-1',
  iat: now(),
  exp: now() + 300,
  ...extra,
});

function keys() {
  return jwksLoader(issuer.jwksUrl, { home: '/nonexistent', store: memoryDocumentStore() });
}

async function failure(token: string, expected: Record<string, unknown> = {}): Promise<string> {
  try {
    await verifyIdToken(token, { issuer: issuer.issuer, clientId: CLIENT, nonce: 'n-1', ...expected }, keys());
  } catch (error) {
    expect(error).toBeInstanceOf(LlmcError);
    expect((error as LlmcError).code).toBe('ERR_OIDC_VERIFY');
    return (error as LlmcError).message;
  }
  throw new Error('verification unexpectedly succeeded');
}

async function failures(reason: string): Promise<number> {
  const metric = await sharedRegistry().getSingleMetric('llmc_oidc_verification_failures_total')?.get();
  return metric?.values.find((value) => value.labels.reason === reason)?.value ?? 0;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('verifyIdToken', () => {
  it('accepts a correctly signed token and returns its claims', async () => {
    const token = await issuer.sign(claims());
    const verified = await verifyIdToken(token, { issuer: issuer.issuer, clientId: CLIENT, nonce: 'n-1' }, keys());
    expect(verified.sub).toBe('user-1');
  });

  it.each([
    ['alg none', async () => `${b64({ alg: 'none' })}.${b64(claims())}.`, 'signing algorithm is not allowed'],
    [
      'HS256 keyed with the public key',
      async () =>
        new SignJWT(claims())
          .setProtectedHeader({ alg: 'HS256', kid: issuer.current.kid })
          .sign(new TextEncoder().encode(JSON.stringify(issuer.current.publicJwk))),
      'signing algorithm is not allowed',
    ],
    ['wrong iss', () => issuer.sign(claims({ iss: 'https://evil.example' })), 'different issuer'],
    ['wrong aud', () => issuer.sign(claims({ aud: 'other' })), 'different client (aud)'],
    ['several audiences without azp', () => issuer.sign(claims({ aud: [CLIENT, 'other'] })), 'authorized party'],
    ['azp of another client', () => issuer.sign(claims({ azp: 'other' })), 'authorized party'],
    ['expired beyond the 60 s leeway', () => issuer.sign(claims({ exp: now() - 120, iat: now() - 400 })), 'expired'],
    ['issued in the future', () => issuer.sign(claims({ iat: now() + 600, exp: now() + 900 })), 'in the future'],
    ['wrong nonce', () => issuer.sign(claims({ nonce: 'n-2' })), 'nonce does not match'],
    [
      'bad signature',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: issuer.current.kid }).sign(privateKey);
      },
      'signature does not verify',
    ],
    ['not a JWT', async () => 'not-a-jwt', 'not a well-formed JWT'],
  ])('rejects %s', async (_name, make, message) => {
    expect(await failure(await make())).toContain(message);
  });

  it('accepts a token expired by less than the leeway', async () => {
    const token = await issuer.sign(claims({ exp: now() - 30, iat: now() - 300 }));
    await expect(verifyIdToken(token, { issuer: issuer.issuer, clientId: CLIENT }, keys())).resolves.toBeTruthy();
  });

  it('rejects a refreshed token for another subject', async () => {
    const token = await issuer.sign(claims({ sub: 'someone-else' }));
    expect(await failure(token, { nonce: undefined, subject: 'user-1' })).toContain('different user');
  });

  it('counts failures by reason in the metrics registry', async () => {
    const before = await failures('nonce');
    await failure(await issuer.sign(claims({ nonce: 'x' })));
    expect(await failures('nonce')).toBe(before + 1);
  });
});

describe('JWKS cache and unknown kid', () => {
  it('re-fetches the JWKS when a token names an unknown kid, and then verifies', async () => {
    const store = memoryDocumentStore();
    const loader = jwksLoader(issuer.jwksUrl, { home: '/nonexistent', store });
    await loadJwks(issuer.jwksUrl, { home: '/nonexistent', store });
    // The cached copy was confirmed long ago; the IdP has rotated keys since.
    const entry = await store.get(issuer.jwksUrl);
    await store.set({ ...(entry as NonNullable<typeof entry>), fetched_at: 0, fresh_until: Date.now() + 3_600_000 });
    const key = await issuer.addKey();
    const fetches = issuer.requests.jwks;
    const token = await issuer.sign(claims(), { key });
    await expect(verifyIdToken(token, { issuer: issuer.issuer, clientId: CLIENT }, loader)).resolves.toBeTruthy();
    expect(issuer.requests.jwks).toBe(fetches + 1);
  });

  it('does not re-fetch more than once a minute for unknown kids', async () => {
    const store = memoryDocumentStore();
    const loader = jwksLoader(issuer.jwksUrl, { home: '/nonexistent', store });
    const { privateKey } = await generateKeyPair('RS256');
    const bogus = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: 'no-such-kid' }).sign(privateKey);
    const message = (async () => {
      try {
        await verifyIdToken(bogus, { issuer: issuer.issuer, clientId: CLIENT }, loader);
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(await message).toContain('key the IdP does not publish');
    const fetches = issuer.requests.jwks;
    await expect(verifyIdToken(bogus, { issuer: issuer.issuer, clientId: CLIENT }, loader)).rejects.toThrow(
      /refreshed less than a minute ago/,
    );
    // Only the ordinary conditional revalidation of the cached set (no max-age here), no forced download.
    expect(issuer.requests.jwks - fetches).toBeLessThanOrEqual(1);
  });
});
