import { createHmac } from 'node:crypto';
import { exportSPKI } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WireErrorCode, wireError } from '../../../src/gateway/wire.js';
import {
  formBody,
  GRANT,
  type Harness,
  ID_TOKEN_TYPE,
  type RawResponse,
  startHarness,
} from '../../helpers/gateway-harness.js';
import { type GithubActionsStandin, startGithubActionsStandin } from '../../helpers/github-actions-standin.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/jwt-issuer.js';

/**
 * Hostile exchanges against POST /auth/token. Each must get the right status
 * and the one generic body of its error code (never which check failed), an
 * audit line with the real reason, and no token.
 */

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const compact = (header: object, payload: object, signature = '') => `${b64(header)}.${b64(payload)}.${signature}`;

interface Case {
  name: string;
  status: number;
  code: WireErrorCode;
  /** The subject token to exchange (the default request)… */
  token?: () => Promise<string>;
  /** …or a request of its own. */
  send?: () => Promise<RawResponse>;
  extra?: Array<[string, string]>;
}

describe('hostile exchanges', () => {
  let idp: TestIssuer;
  let other: TestIssuer;
  let attacker: TestIssuer;
  let gh: GithubActionsStandin;
  const down: Record<'reset' | 'error' | 'discovery', TestIssuer> = {} as never;
  let gw: Harness;
  let publicPem: string;

  const now = () => Math.floor(Date.now() / 1000);
  const claims = (overrides: Record<string, unknown> = {}) => {
    const iat = now();
    const out: Record<string, unknown> = {
      iss: idp.issuer,
      aud: 'gateway-test',
      sub: 'hostile-user',
      email: 'ana@company.com',
      email_verified: true,
      iat,
      exp: iat + 600,
      ...overrides,
    };
    for (const [key, value] of Object.entries(out)) if (value === undefined) delete out[key];
    return out;
  };
  const good = (overrides: Record<string, unknown> = {}) => idp.sign(claims(overrides));
  const hmac = (alg: 'HS256' | 'HS512', secret: string, payload = claims()) => {
    const header = { alg, typ: 'JWT', kid: idp.current.kid };
    const input = `${b64(header)}.${b64(payload)}`;
    const digest = createHmac(alg === 'HS256' ? 'sha256' : 'sha512', secret)
      .update(input)
      .digest('base64url');
    return `${input}.${digest}`;
  };
  const post = (body: string | Buffer, contentType?: string) =>
    gw.send('POST', '/auth/token', { body, headers: contentType ? { 'content-type': contentType } : {} });
  const exchangeBody = async (token?: string) =>
    formBody([
      ['grant_type', GRANT],
      ['subject_token', token ?? (await good())],
      ['subject_token_type', ID_TOKEN_TYPE],
    ]);

  beforeAll(async () => {
    idp = await startTestIssuer();
    other = await startTestIssuer({ alg: 'ES256' });
    attacker = await startTestIssuer();
    gh = await startGithubActionsStandin({ owner: 'other-org', repo: 'tool' });
    for (const [name, mode] of [
      ['reset', 'reset'],
      ['error', '500'],
      ['discovery', '404'],
    ] as const) {
      down[name] = await startTestIssuer();
      down[name].setDown(mode);
    }
    publicPem = await exportSPKI(idp.current.publicKey);
    gw = await startHarness({
      issuers: [
        { issuer: idp.issuer, allowed_domains: ['company.com'] },
        { issuer: other.issuer },
        { issuer: gh.issuer, audiences: ['mcp-gateway'] },
        ...Object.values(down).map((issuer) => ({ issuer: issuer.issuer })),
      ],
      policies: [
        { match: { domain: 'company.com' }, scopes: { backends: ['tavily'], tools: ['tavily-search'] } },
        { match: { issuer: gh.issuer, claims: { repository_owner: 'my-org' } }, scopes: { backends: ['*'] } },
      ],
      keyServer: { issue_rate_limit: 0 },
    });
  });

  afterAll(async () => {
    await gw?.close();
    await Promise.all([idp, other, attacker, ...Object.values(down)].map((issuer) => issuer?.close()));
    await gh?.close();
  });

  const cases: Case[] = [
    // Algorithms
    {
      name: 'alg none, no signature',
      status: 401,
      code: 'invalid_token',
      token: async () => compact({ alg: 'none', typ: 'JWT' }, claims()),
    },
    {
      name: 'alg none with a signature',
      status: 401,
      code: 'invalid_token',
      token: async () => compact({ alg: 'none' }, claims(), 'c2ln'),
    },
    {
      name: 'alg "None" spelled otherwise',
      status: 401,
      code: 'invalid_token',
      token: async () => compact({ alg: 'None' }, claims()),
    },
    {
      name: 'HS256 keyed with the issuer’s public key (PEM)',
      status: 401,
      code: 'invalid_token',
      token: async () => hmac('HS256', publicPem),
    },
    {
      name: 'HS512 keyed with the issuer’s public key (PEM)',
      status: 401,
      code: 'invalid_token',
      token: async () => hmac('HS512', publicPem),
    },
    {
      name: 'HS256 keyed with the public JWK',
      status: 401,
      code: 'invalid_token',
      token: async () => hmac('HS256', JSON.stringify(idp.current.publicJwk)),
    },
    {
      name: 'RS256 header on an ES256 signature',
      status: 401,
      code: 'invalid_token',
      token: async () => {
        const real = await other.sign(claims({ iss: other.issuer }));
        const [, payload, signature] = real.split('.');
        return `${b64({ alg: 'RS256', kid: other.current.kid })}.${payload}.${signature}`;
      },
    },
    // Keys and key ids
    {
      name: 'unknown kid',
      status: 401,
      code: 'invalid_token',
      token: async () => idp.sign(claims(), { kid: 'no-such-key' }),
    },
    {
      name: 'kid with path traversal',
      status: 401,
      code: 'invalid_token',
      token: async () => idp.sign(claims(), { kid: '../../../etc/passwd' }),
    },
    {
      name: 'kid with an injection',
      status: 401,
      code: 'invalid_token',
      token: async () => idp.sign(claims(), { kid: "' OR '1'='1" }),
    },
    {
      name: 'the issuer’s kid on an attacker’s signature',
      status: 401,
      code: 'invalid_token',
      token: async () => attacker.sign(claims(), { kid: idp.current.kid }),
    },
    {
      name: 'jku pointing at the attacker’s JWKS',
      status: 401,
      code: 'invalid_token',
      token: async () => attacker.sign(claims(), { header: { jku: attacker.jwksUrl } }),
    },
    {
      name: 'x5u pointing at the attacker',
      status: 401,
      code: 'invalid_token',
      token: async () => attacker.sign(claims(), { header: { x5u: `${attacker.issuer}/cert.pem` } }),
    },
    {
      name: 'embedded jwk of the attacker',
      status: 401,
      code: 'invalid_token',
      token: async () => attacker.sign(claims(), { header: { jwk: attacker.current.publicJwk } }),
    },
    {
      name: 'no kid, attacker’s signature',
      status: 401,
      code: 'invalid_token',
      token: async () => attacker.sign(claims(), { kid: null }),
    },
    {
      name: 'another configured issuer’s key for this issuer’s claims',
      status: 401,
      code: 'invalid_token',
      token: async () => other.sign(claims()),
    },
    {
      name: 'critical header the gateway does not understand',
      status: 401,
      code: 'invalid_token',
      token: async () =>
        idp.signRaw({ alg: 'RS256', kid: idp.current.kid, crit: ['exp-policy'], 'exp-policy': 1 }, claims()),
    },
    // Signature tampering and shape
    {
      name: 'signature stripped',
      status: 401,
      code: 'invalid_token',
      token: async () => `${(await good()).split('.').slice(0, 2).join('.')}.`,
    },
    {
      name: 'payload altered after signing',
      status: 401,
      code: 'invalid_token',
      token: async () => {
        const [header, , signature] = (await good()).split('.');
        return `${header}.${b64(claims({ sub: 'admin' }))}.${signature}`;
      },
    },
    {
      name: 'signature of another token',
      status: 401,
      code: 'invalid_token',
      token: async () => {
        const [header, payload] = (await good({ sub: 'someone' })).split('.');
        return `${header}.${payload}.${(await good()).split('.')[2]}`;
      },
    },
    { name: 'truncated token', status: 401, code: 'invalid_token', token: async () => (await good()).slice(0, 120) },
    {
      name: 'two segments',
      status: 401,
      code: 'invalid_token',
      token: async () => (await good()).split('.').slice(0, 2).join('.'),
    },
    { name: 'five segments (JWE shape)', status: 401, code: 'invalid_token', token: async () => `${await good()}.a.b` },
    { name: 'not base64url at all', status: 401, code: 'invalid_token', token: async () => '%%%.@@@.!!!' },
    {
      name: 'header that is not JSON',
      status: 401,
      code: 'invalid_token',
      token: async () => `${b64('nope')}.${b64(claims())}.x`,
    },
    {
      name: '20 KB token',
      status: 401,
      code: 'invalid_token',
      token: async () => `${await good()}${'A'.repeat(20_000)}`,
    },
    {
      name: '1 MB token',
      status: 413,
      code: 'invalid_request',
      send: async () => post(await exchangeBody(`eyJ${'A'.repeat(1024 * 1024)}`), 'application/x-www-form-urlencoded'),
    },
    // Claims
    {
      name: 'wrong iss (unconfigured issuer)',
      status: 401,
      code: 'invalid_token',
      token: async () => attacker.idToken(),
    },
    { name: 'iss missing', status: 401, code: 'invalid_token', token: async () => good({ iss: undefined }) },
    { name: 'wrong aud', status: 401, code: 'invalid_token', token: async () => good({ aud: 'another-client' }) },
    { name: 'aud list without ours', status: 401, code: 'invalid_token', token: async () => good({ aud: ['a', 'b'] }) },
    {
      name: 'expired',
      status: 401,
      code: 'invalid_token',
      token: async () => good({ iat: now() - 200, exp: now() - 120 }),
    },
    { name: 'exp missing', status: 401, code: 'invalid_token', token: async () => good({ exp: undefined }) },
    { name: 'exp not a number', status: 401, code: 'invalid_token', token: async () => good({ exp: 'tomorrow' }) },
    { name: 'future nbf', status: 401, code: 'invalid_token', token: async () => good({ nbf: now() + 600 }) },
    {
      name: 'future iat',
      status: 401,
      code: 'invalid_token',
      token: async () => good({ iat: now() + 600, exp: now() + 1200 }),
    },
    {
      name: 'iat too old (replay)',
      status: 401,
      code: 'invalid_token',
      token: async () => good({ iat: now() - 3600, exp: now() + 600 }),
    },
    { name: 'iat missing', status: 401, code: 'invalid_token', token: async () => good({ iat: undefined }) },
    { name: 'sub missing', status: 401, code: 'invalid_token', token: async () => good({ sub: undefined }) },
    { name: 'empty sub', status: 401, code: 'invalid_token', token: async () => good({ sub: '' }) },
    {
      name: 'unverified email of an allowed domain',
      status: 401,
      code: 'invalid_token',
      token: async () => good({ email_verified: false }),
    },
    {
      name: 'email of a domain not allowed',
      status: 401,
      code: 'invalid_token',
      token: async () => good({ email: 'eve@evil.example' }),
    },
    {
      name: 'hd of a domain not allowed',
      status: 401,
      code: 'invalid_token',
      token: async () => good({ hd: 'evil.example' }),
    },
    // Request shape
    {
      name: 'text/plain body',
      status: 400,
      code: 'invalid_request',
      send: async () => post(await exchangeBody(), 'text/plain'),
    },
    {
      name: 'multipart/form-data body',
      status: 400,
      code: 'invalid_request',
      send: async () => post(await exchangeBody(), 'multipart/form-data; boundary=x'),
    },
    { name: 'no content type', status: 400, code: 'invalid_request', send: async () => post(await exchangeBody()) },
    {
      name: 'form in a foreign charset',
      status: 400,
      code: 'invalid_request',
      send: async () => post(await exchangeBody(), 'application/x-www-form-urlencoded; charset=iso-8859-1'),
    },
    {
      name: 'duplicate subject_token',
      status: 400,
      code: 'invalid_request',
      send: async () =>
        post(
          `${await exchangeBody()}&subject_token=${await good({ sub: 'other' })}`,
          'application/x-www-form-urlencoded',
        ),
    },
    {
      name: 'duplicate grant_type',
      status: 400,
      code: 'invalid_request',
      send: async () =>
        post(`grant_type=${encodeURIComponent(GRANT)}&${await exchangeBody()}`, 'application/x-www-form-urlencoded'),
    },
    {
      name: 'JSON that is not an object',
      status: 400,
      code: 'invalid_request',
      send: async () => post('["x"]', 'application/json'),
    },
    {
      name: 'broken JSON',
      status: 400,
      code: 'invalid_request',
      send: async () => post('{"grant_type":', 'application/json'),
    },
    {
      name: 'JSON with a non-string parameter',
      status: 400,
      code: 'invalid_request',
      send: async () =>
        post(
          JSON.stringify({ grant_type: GRANT, subject_token: [await good()], subject_token_type: ID_TOKEN_TYPE }),
          'application/json',
        ),
    },
    {
      name: 'missing grant_type',
      status: 400,
      code: 'invalid_request',
      send: async () =>
        post(
          formBody([
            ['subject_token', await good()],
            ['subject_token_type', ID_TOKEN_TYPE],
          ]),
          'application/x-www-form-urlencoded',
        ),
    },
    {
      name: 'client_credentials grant',
      status: 400,
      code: 'unsupported_grant_type',
      send: async () =>
        post(
          formBody([
            ['grant_type', 'client_credentials'],
            ['subject_token', await good()],
            ['subject_token_type', ID_TOKEN_TYPE],
          ]),
          'application/x-www-form-urlencoded',
        ),
    },
    {
      name: 'subject_token_type access_token',
      status: 400,
      code: 'invalid_request',
      send: async () =>
        post(
          formBody([
            ['grant_type', GRANT],
            ['subject_token', await good()],
            ['subject_token_type', 'urn:ietf:params:oauth:token-type:access_token'],
          ]),
          'application/x-www-form-urlencoded',
        ),
    },
    {
      name: 'subject_token_type missing',
      status: 400,
      code: 'invalid_request',
      send: async () =>
        post(
          formBody([
            ['grant_type', GRANT],
            ['subject_token', await good()],
          ]),
          'application/x-www-form-urlencoded',
        ),
    },
    {
      name: 'scope longer than 4 KB',
      status: 400,
      code: 'invalid_request',
      extra: [['scope', `tools:${'x'.repeat(5000)}`]],
    },
    // Policy and scope
    {
      name: 'scope widening to another backend',
      status: 403,
      code: 'access_denied',
      extra: [['scope', 'backends:openai']],
    },
    { name: 'scope widening to every tool', status: 403, code: 'access_denied', extra: [['scope', 'tools:*']] },
    { name: 'scope widening by glob', status: 403, code: 'access_denied', extra: [['scope', 'backends:tav*']] },
    {
      name: 'GitHub Actions token from a repository owner no policy admits',
      status: 403,
      code: 'access_denied',
      token: async () => gh.mint('mcp-gateway'),
    },
    {
      name: 'GitHub Actions token for another audience',
      status: 401,
      code: 'invalid_token',
      token: async () => gh.mint(),
    },
    // Availability
    {
      name: 'JWKS unreachable, nothing cached',
      status: 503,
      code: 'temporarily_unavailable',
      token: async () => down.reset.idToken(),
    },
    {
      name: 'JWKS answering 500, nothing cached',
      status: 503,
      code: 'temporarily_unavailable',
      token: async () => down.error.idToken(),
    },
    {
      name: 'discovery missing, nothing cached',
      status: 503,
      code: 'temporarily_unavailable',
      token: async () => down.discovery.idToken(),
    },
  ];

  /** The audit reason each case must be refused for: a case must fail for its own reason, not an earlier one. */
  const reasons: Record<string, string> = {
    'alg none, no signature': 'algorithm',
    'alg none with a signature': 'algorithm',
    'alg "None" spelled otherwise': 'algorithm',
    'HS256 keyed with the issuer’s public key (PEM)': 'algorithm',
    'HS512 keyed with the issuer’s public key (PEM)': 'algorithm',
    'HS256 keyed with the public JWK': 'algorithm',
    'RS256 header on an ES256 signature': 'unknown_key',
    'unknown kid': 'unknown_key',
    'kid with path traversal': 'unknown_key',
    'kid with an injection': 'unknown_key',
    'the issuer’s kid on an attacker’s signature': 'signature',
    'jku pointing at the attacker’s JWKS': 'unknown_key',
    'x5u pointing at the attacker': 'unknown_key',
    'embedded jwk of the attacker': 'unknown_key',
    'no kid, attacker’s signature': 'signature',
    'another configured issuer’s key for this issuer’s claims': 'unknown_key',
    'critical header the gateway does not understand': 'unsupported_header',
    'signature stripped': 'signature',
    'payload altered after signing': 'signature',
    'signature of another token': 'signature',
    'truncated token': 'malformed',
    'two segments': 'malformed',
    'five segments (JWE shape)': 'malformed',
    'not base64url at all': 'malformed',
    'header that is not JSON': 'malformed',
    '20 KB token': 'too_large',
    '1 MB token': 'request_too_large',
    'wrong iss (unconfigured issuer)': 'unknown_issuer',
    'iss missing': 'unknown_issuer',
    'wrong aud': 'audience',
    'aud list without ours': 'audience',
    expired: 'expired',
    'exp missing': 'claims',
    'exp not a number': 'claims',
    'future nbf': 'not_yet_valid',
    'future iat': 'issued_in_future',
    'iat too old (replay)': 'too_old',
    'iat missing': 'claims',
    'sub missing': 'claims',
    'empty sub': 'claims',
    'unverified email of an allowed domain': 'domain',
    'email of a domain not allowed': 'domain',
    'hd of a domain not allowed': 'domain',
    'text/plain body': 'request_content_type',
    'multipart/form-data body': 'request_content_type',
    'no content type': 'request_content_type',
    'form in a foreign charset': 'request_content_type',
    'duplicate subject_token': 'request_duplicate',
    'duplicate grant_type': 'request_duplicate',
    'JSON that is not an object': 'request_shape',
    'broken JSON': 'request_syntax',
    'JSON with a non-string parameter': 'request_shape',
    'missing grant_type': 'missing_grant_type',
    'client_credentials grant': 'unsupported_grant_type',
    'subject_token_type access_token': 'subject_token_type',
    'subject_token_type missing': 'subject_token_type',
    'scope longer than 4 KB': 'request_parameters',
    'scope widening to another backend': 'scope_widening',
    'scope widening to every tool': 'scope_widening',
    'scope widening by glob': 'scope_widening',
    'GitHub Actions token from a repository owner no policy admits': 'no_policy',
    'GitHub Actions token for another audience': 'audience',
    'JWKS unreachable, nothing cached': 'issuer_unavailable',
    'JWKS answering 500, nothing cached': 'issuer_unavailable',
    'discovery missing, nothing cached': 'issuer_unavailable',
  };

  it('has at least 40 of them', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(Object.keys(reasons).sort()).toEqual(cases.map((entry) => entry.name).sort());
  });

  it.each(cases)('$name → $status $code, generic body, audited, no token', async (entry) => {
    const before = gw.audit.events.length;
    const res = entry.send
      ? await entry.send()
      : await gw.exchange(await (entry.token ?? (() => good()))(), entry.extra ?? []);
    expect(res.status).toBe(entry.status);
    expect(res.json()).toEqual(wireError(entry.code));
    expect(res.text).not.toMatch(/mcpgw_/);
    expect(res.headers['retry-after']).toBeUndefined();
    const added = gw.audit.events.slice(before);
    expect(added.length).toBeGreaterThanOrEqual(1);
    expect(added.map((event) => event.reason)).toContain(reasons[entry.name]);
    for (const event of added) {
      expect(['token.invalid', 'token.denied']).toContain(event.event);
      expect(event.reason).toEqual(expect.any(String));
      expect(event.client_ip).toBe('127.0.0.1');
    }
  });

  it('issued no token and wrote no credential into the audit log', async () => {
    expect(gw.audit.events.filter((event) => event.event === 'token.issued')).toEqual([]);
    for (const sub of ['hostile-user', 'admin', 'someone', 'other']) {
      expect(await gw.gateway.store.listBySubject(sub, Date.now())).toEqual([]);
    }
    const text = JSON.stringify(gw.audit.events);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
    expect(text).not.toMatch(/mcpgw_[A-Za-z0-9_-]{8,}/);
  });

  it('still serves a good exchange afterwards (nothing above broke it)', async () => {
    const res = await gw.exchange(await good({ sub: 'after' }));
    expect(res.status).toBe(200);
    // The hand-signed path used for the crit case signs valid tokens too, so that refusal was about crit.
    const handSigned = await idp.signRaw({ alg: 'RS256', kid: idp.current.kid }, claims({ sub: 'after-raw' }));
    expect((await gw.exchange(handSigned)).status).toBe(200);
  });
});

describe('GitHub Actions policy on repository_owner (HTTP)', () => {
  let admitted: GithubActionsStandin;
  let refused: GithubActionsStandin;
  let gw: Harness;

  beforeAll(async () => {
    admitted = await startGithubActionsStandin({ owner: 'my-org', repo: 'app' });
    refused = await startGithubActionsStandin({ owner: 'not-my-org', repo: 'app' });
    gw = await startHarness({
      issuers: [
        { issuer: admitted.issuer, audiences: ['mcp-gateway'] },
        { issuer: refused.issuer, audiences: ['mcp-gateway'] },
      ],
      policies: [
        {
          match: { claims: { repository_owner: 'my-org', ref: 'refs/heads/*' } },
          scopes: { backends: ['tavily', 'brave'], tools: ['tavily-search', 'brave_*'], rate_limit: 50 },
        },
      ],
    });
  });
  afterAll(async () => {
    await gw?.close();
    await admitted?.close();
    await refused?.close();
  });

  /** What a workflow step does: fetch the id_token from the runner, then exchange it. */
  async function login(runner: GithubActionsStandin, scope?: string): Promise<RawResponse> {
    const env = runner.env();
    const answer = await fetch(`${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=mcp-gateway`, {
      headers: { authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` },
    });
    expect(answer.status).toBe(200);
    const { value } = (await answer.json()) as { value: string };
    return gw.exchange(value, scope ? [['scope', scope]] : []);
  }

  it('admits a workflow of my-org/app with the policy’s scopes', async () => {
    const res = await login(admitted);
    expect(res.status).toBe(200);
    expect(res.json().scope).toBe('backends:tavily,brave tools:tavily-search,brave_*');
    const narrowed = await login(admitted, 'backends:brave tools:brave_web_search');
    expect(narrowed.json().scope).toBe('backends:brave tools:brave_web_search');
    expect(gw.audit.events.at(-1)).toMatchObject({
      event: 'token.issued',
      identity: { iss: admitted.issuer, sub: 'repo:my-org/app:ref:refs/heads/main' },
      scopes: { rate_limit: 50 },
    });
  });

  it('refuses a workflow of another owner with 403 access_denied', async () => {
    const res = await login(refused);
    expect(res.status).toBe(403);
    expect(res.json()).toEqual(wireError('access_denied'));
    expect(gw.audit.events.at(-1)).toMatchObject({
      event: 'token.denied',
      reason: 'no_policy',
      identity: { sub: 'repo:not-my-org/app:ref:refs/heads/main' },
    });
  });

  it('refuses my-org on a tag, which the ref glob does not admit', async () => {
    admitted.configure({ ref: 'refs/tags/v1.0.0' });
    try {
      expect((await login(admitted)).status).toBe(403);
    } finally {
      admitted.configure({ ref: 'refs/heads/main' });
    }
  });

  it('the runner endpoint refuses a wrong request token', async () => {
    const res = await fetch(`${admitted.requestUrl}&audience=mcp-gateway`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(res.status).toBe(401);
    expect(admitted.requests.at(-1)).toEqual({ audience: 'mcp-gateway', authorized: false });
  });

  it('carries GitHub’s claim set', async () => {
    const claims = admitted.claims('mcp-gateway');
    for (const name of [
      'iss',
      'sub',
      'aud',
      'repository',
      'repository_owner',
      'repository_id',
      'repository_owner_id',
      'ref',
      'ref_type',
      'sha',
      'workflow',
      'job_workflow_ref',
      'event_name',
      'run_id',
      'run_number',
      'run_attempt',
      'actor',
      'actor_id',
      'runner_environment',
      'iat',
      'nbf',
      'exp',
      'jti',
    ]) {
      expect(claims[name], name).toBeDefined();
    }
    expect(claims).toMatchObject({
      repository: 'my-org/app',
      repository_owner: 'my-org',
      aud: 'mcp-gateway',
      ref_type: 'branch',
    });
    admitted.configure({ environment: 'production' });
    expect(admitted.claims()).toMatchObject({
      environment: 'production',
      sub: 'repo:my-org/app:environment:production',
      aud: 'https://github.com/my-org',
    });
    admitted.configure({ environment: undefined });
  });
});
