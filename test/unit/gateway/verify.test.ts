import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHMS, type IssuerConfig } from '../../../src/gateway/config.js';
import { createVerifier, IssuerUnavailableError, VerifyError } from '../../../src/gateway/verify.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/jwt-issuer.js';

function issuerConfig(issuer: TestIssuer, overrides: Partial<IssuerConfig> = {}): IssuerConfig {
  return {
    issuer: issuer.issuer,
    audiences: ['gateway-test'],
    allowed_domains: [],
    auto_discover: true,
    algorithms: [...ALGORITHMS],
    ...overrides,
  };
}

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VerifyError) return error.reason;
    if (error instanceof IssuerUnavailableError) return 'unavailable';
    throw error;
  }
  return 'accepted';
}

describe('subject-token verification', () => {
  let idp: TestIssuer;
  beforeAll(async () => {
    idp = await startTestIssuer();
  });
  afterAll(async () => {
    await idp.close();
  });

  it('accepts a good id_token and reads the identity from it', async () => {
    const verifier = createVerifier({ issuers: [issuerConfig(idp)], maxTokenAgeSecs: 300, allowHttp: true });
    const identity = await verifier.verify(await idp.idToken({ groups: ['staff', 7] }));
    expect(identity).toMatchObject({
      iss: idp.issuer,
      sub: 'user-1',
      email: 'ana@company.com',
      email_verified: true,
      domain: 'company.com',
      groups: ['staff'],
    });
  });

  it('refuses plain-http issuers unless allowed (never fetches them)', async () => {
    const before = idp.requests.discovery;
    const verifier = createVerifier({ issuers: [issuerConfig(idp)], maxTokenAgeSecs: 300 });
    expect(await reason(verifier.verify(await idp.idToken()))).toBe('unavailable');
    expect(idp.requests.discovery).toBe(before);
  });

  it('takes the domain from hd, else from a verified email only', async () => {
    const verifier = createVerifier({
      issuers: [issuerConfig(idp, { allowed_domains: ['company.com'] })],
      maxTokenAgeSecs: 300,
      allowHttp: true,
    });
    expect(await reason(verifier.verify(await idp.idToken({ email_verified: false })))).toBe('domain');
    expect(await reason(verifier.verify(await idp.idToken({ email_verified: 'true' })))).toBe('accepted');
    expect(await reason(verifier.verify(await idp.idToken({ email: 'eve@evil.com' })))).toBe('domain');
    expect(
      await reason(
        verifier.verify(await idp.idToken({ email: 'eve@evil.com', email_verified: false, hd: 'company.com' })),
      ),
    ).toBe('accepted');
    expect(await reason(verifier.verify(await idp.idToken({ hd: 'evil.com' })))).toBe('domain');
    expect(await reason(verifier.verify(await idp.idToken({ email: undefined })))).toBe('domain');
  });

  it('judges time with a 60 s leeway and max_oidc_token_age_secs, on the injected clock', async () => {
    let now = Date.now();
    const verifier = createVerifier({
      issuers: [issuerConfig(idp)],
      maxTokenAgeSecs: 300,
      allowHttp: true,
      clock: () => now,
    });
    const iat = Math.floor(now / 1000);
    const token = await idp.idToken({ iat, exp: iat + 600 });
    now += 350_000; // 350 s later: older than 300 s but inside the leeway
    expect(await reason(verifier.verify(token))).toBe('accepted');
    now += 20_000; // 370 s: too old
    expect(await reason(verifier.verify(token))).toBe('too_old');
    now = iat * 1000;
    expect(await reason(verifier.verify(await idp.idToken({ iat: iat + 50 })))).toBe('accepted');
    expect(await reason(verifier.verify(await idp.idToken({ iat: iat + 120 })))).toBe('issued_in_future');
    expect(await reason(verifier.verify(await idp.idToken({ nbf: iat + 50 })))).toBe('accepted');
    expect(await reason(verifier.verify(await idp.idToken({ nbf: iat + 120 })))).toBe('not_yet_valid');
    expect(await reason(verifier.verify(await idp.idToken({ iat: iat - 100, exp: iat - 30 })))).toBe('accepted');
    expect(await reason(verifier.verify(await idp.idToken({ iat: iat - 100, exp: iat - 61 })))).toBe('expired');
  });

  it('revalidates the JWKS with its ETag instead of downloading it again', async () => {
    let now = Date.now();
    const verifier = createVerifier({
      issuers: [issuerConfig(idp)],
      maxTokenAgeSecs: 300,
      allowHttp: true,
      clock: () => now,
      refreshIntervalMs: 1000,
    });
    await verifier.verify(await idp.idToken());
    const { jwks, notModified } = idp.requests;
    await verifier.verify(await idp.idToken());
    expect(idp.requests.jwks).toBe(jwks);
    now += 2000;
    await verifier.verify(await idp.idToken({ iat: Math.floor(now / 1000) }));
    expect(idp.requests.jwks).toBe(jwks + 1);
    expect(idp.requests.notModified).toBeGreaterThan(notModified);
  });

  it('revalidates the JWKS every refresh interval even when the server allowed caching it longer (a withdrawn key stops working)', async () => {
    const cached = await startTestIssuer({ cacheControl: 'public, max-age=86400' });
    try {
      let now = Date.now();
      const verifier = createVerifier({
        issuers: [issuerConfig(cached)],
        maxTokenAgeSecs: 300,
        allowHttp: true,
        clock: () => now,
        refreshIntervalMs: 1000,
      });
      const withdrawn = cached.current;
      expect(await reason(verifier.verify(await cached.idToken()))).toBe('accepted');
      await cached.rotate();
      now += 2000;
      expect(await reason(verifier.verify(await cached.idToken({}, { key: withdrawn })))).toBe('unknown_key');
      expect(await reason(verifier.verify(await cached.idToken()))).toBe('accepted');
    } finally {
      await cached.close();
    }
  });

  it('after a failed refresh keeps the cached keys and retries once per cool-down, not on every exchange', async () => {
    const failing = await startTestIssuer();
    try {
      let now = Date.now();
      const verifier = createVerifier({
        issuers: [issuerConfig(failing)],
        maxTokenAgeSecs: 300,
        allowHttp: true,
        clock: () => now,
        refreshIntervalMs: 1000,
      });
      expect(await reason(verifier.verify(await failing.idToken()))).toBe('accepted');
      failing.setDown('404');
      now += 2000;
      const before = failing.requests.discovery + failing.requests.jwks;
      for (let i = 0; i < 5; i++) expect(await reason(verifier.verify(await failing.idToken()))).toBe('accepted');
      expect(failing.requests.discovery + failing.requests.jwks).toBe(before + 1);
      now += 31_000;
      expect(await reason(verifier.verify(await failing.idToken()))).toBe('accepted');
      expect(failing.requests.discovery + failing.requests.jwks).toBe(before + 2);
    } finally {
      await failing.close();
    }
  });

  it('re-fetches the JWKS on an unknown kid, at most once per cool-down, and follows a rotation', async () => {
    const rotating = await startTestIssuer();
    try {
      let now = Date.now();
      const verifier = createVerifier({
        issuers: [issuerConfig(rotating)],
        maxTokenAgeSecs: 300,
        allowHttp: true,
        clock: () => now,
      });
      await verifier.verify(await rotating.idToken());
      const fetched = rotating.requests.jwks;
      for (let i = 0; i < 5; i++) {
        expect(await reason(verifier.verify(await rotating.idToken({}, {})).then(() => undefined))).toBe('accepted');
      }
      const stranger = await rotating.sign(
        {
          iss: rotating.issuer,
          aud: 'gateway-test',
          sub: 'x',
          iat: Math.floor(now / 1000),
          exp: Math.floor(now / 1000) + 60,
        },
        { kid: 'made-up' },
      );
      for (let i = 0; i < 5; i++) expect(await reason(verifier.verify(stranger))).toBe('unknown_key');
      expect(rotating.requests.jwks).toBe(fetched + 1);
      await rotating.rotate();
      now += 10_000; // still inside the 30 s cool-down: the new kid is not fetched yet
      expect(await reason(verifier.verify(await rotating.idToken({ iat: Math.floor(now / 1000) })))).toBe(
        'unknown_key',
      );
      now += 25_000;
      expect(await reason(verifier.verify(await rotating.idToken({ iat: Math.floor(now / 1000) })))).toBe('accepted');
      expect(rotating.requests.jwks).toBe(fetched + 2);
    } finally {
      await rotating.close();
    }
  });

  it('answers unavailable when the JWKS cannot be had and nothing is cached, and keeps serving cached keys when it goes down', async () => {
    const flaky = await startTestIssuer();
    try {
      flaky.setDown('reset');
      const verifier = createVerifier({
        issuers: [issuerConfig(flaky)],
        maxTokenAgeSecs: 300,
        allowHttp: true,
        refreshIntervalMs: 0,
      });
      expect(await reason(verifier.verify(await flaky.idToken()))).toBe('unavailable');
      flaky.setDown('500');
      expect(await reason(verifier.verify(await flaky.idToken()))).toBe('unavailable');
      flaky.setDown(false);
      expect(await reason(verifier.verify(await flaky.idToken()))).toBe('accepted');
      flaky.setDown('reset');
      expect(await reason(verifier.verify(await flaky.idToken()))).toBe('accepted');
    } finally {
      await flaky.close();
    }
  });

  it('never takes a key from jku, x5u or an embedded jwk', async () => {
    const attacker = await startTestIssuer();
    try {
      const verifier = createVerifier({ issuers: [issuerConfig(idp)], maxTokenAgeSecs: 300, allowHttp: true });
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: idp.issuer, aud: 'gateway-test', sub: 'user-1', iat: now, exp: now + 60 };
      const before = attacker.requests.jwks;
      for (const header of [
        { jku: attacker.jwksUrl },
        { x5u: `${attacker.issuer}/cert.pem` },
        { jwk: attacker.current.publicJwk },
      ]) {
        const token = await attacker.sign(claims, { header, kid: attacker.current.kid });
        expect(await reason(verifier.verify(token))).toBe('unknown_key');
        const sameKid = await attacker.sign(claims, { header, kid: idp.current.kid });
        expect(await reason(verifier.verify(sameKid))).toBe('signature');
      }
      expect(attacker.requests.jwks).toBe(before);
    } finally {
      await attacker.close();
    }
  });

  it('uses jwks_uri as configured, and the discovery document’s issuer must be the configured one', async () => {
    const direct = createVerifier({
      issuers: [issuerConfig(idp, { jwks_uri: idp.jwksUrl, auto_discover: false })],
      maxTokenAgeSecs: 300,
      allowHttp: true,
    });
    const discovery = idp.requests.discovery;
    expect(await reason(direct.verify(await idp.idToken()))).toBe('accepted');
    expect(idp.requests.discovery).toBe(discovery);
    const lying = createVerifier({
      issuers: [issuerConfig(idp, { discovery_url: `${idp.issuer}/elsewhere` })],
      maxTokenAgeSecs: 300,
      allowHttp: true,
    });
    expect(await reason(lying.verify(await idp.idToken()))).toBe('unavailable');
  });

  it('keeps to the algorithm allow-list', async () => {
    const es = await startTestIssuer({ alg: 'ES256' });
    try {
      const only = createVerifier({
        issuers: [issuerConfig(es, { algorithms: ['RS256'] })],
        maxTokenAgeSecs: 300,
        allowHttp: true,
      });
      expect(await reason(only.verify(await es.idToken()))).toBe('algorithm');
      const any = createVerifier({ issuers: [issuerConfig(es)], maxTokenAgeSecs: 300, allowHttp: true });
      expect(await reason(any.verify(await es.idToken()))).toBe('accepted');
    } finally {
      await es.close();
    }
  });
});
