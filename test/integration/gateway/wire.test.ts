import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { wireError } from '../../../src/gateway/wire.js';
import {
  ADMIN_TOKEN,
  GRANT,
  type Harness,
  ID_TOKEN_TYPE,
  raw,
  STATIC_KEY,
  startHarness,
} from '../../helpers/gateway-harness.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/jwt-issuer.js';

/**
 * mcp-gateway's key-server wire, spoken byte for byte over raw HTTP:
 * RFC 8693 form-encoded exchange, the success body, every error code of
 * ARCHITECTURE §6 with its body, and the revocation, introspection and admin
 * routes of §9.
 */

const TOKEN_FIELDS = ['access_token', 'expires_in', 'jti', 'scope', 'token_type'];

describe('key server wire (mcp-gateway RFC-0043 / ARCHITECTURE §6)', () => {
  let idp: TestIssuer;
  let down: TestIssuer;
  let harnesses: Harness[] = [];

  const start = async (options: Partial<Parameters<typeof startHarness>[0]> = {}) => {
    const harness = await startHarness({ issuers: [{ issuer: idp.issuer }], ...options });
    harnesses.push(harness);
    return harness;
  };

  beforeAll(async () => {
    idp = await startTestIssuer();
    down = await startTestIssuer();
    down.setDown('reset');
  });
  afterEach(async () => {
    await Promise.all(harnesses.map((harness) => harness.close()));
    harnesses = [];
  });
  afterAll(async () => {
    await Promise.all([idp.close(), down.close()]);
  });

  it('exchanges a form-encoded id_token for an mcpgw_ token (200, exact body)', async () => {
    const gw = await start();
    const body =
      `grant_type=${encodeURIComponent(GRANT)}` +
      `&subject_token=${encodeURIComponent(await idp.idToken())}` +
      `&subject_token_type=${encodeURIComponent(ID_TOKEN_TYPE)}`;
    const res = await gw.send('POST', '/auth/token', {
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['cache-control']).toBe('no-store');
    const json = res.json();
    expect(Object.keys(json).sort()).toEqual(TOKEN_FIELDS);
    expect(json.access_token).toMatch(/^mcpgw_[A-Za-z0-9_-]{43}$/);
    expect(json.token_type).toBe('Bearer');
    expect(json.expires_in).toBe(3600);
    expect(json.scope).toBe('backends:* tools:*');
    expect(json.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(gw.audit.events.at(-1)).toMatchObject({
      event: 'token.issued',
      identity: { iss: idp.issuer, sub: 'user-1', email: 'ana@company.com' },
      jti: json.jti,
      scope: 'backends:* tools:*',
      scopes: { backends: ['*'], tools: ['*'], rate_limit: 0 },
      client_ip: '127.0.0.1',
    });
    expect(JSON.stringify(gw.audit.events)).not.toContain(json.access_token);
  });

  it('accepts a JSON body too, and the urn:…:jwt subject token type (CI tokens)', async () => {
    const gw = await start();
    const res = await gw.send('POST', '/auth/token', {
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({
        grant_type: GRANT,
        subject_token: await idp.idToken(),
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      }),
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json()).sort()).toEqual(TOKEN_FIELDS);
  });

  it('narrows to a requested scope and echoes it', async () => {
    const gw = await start({
      policies: [
        {
          match: { domain: 'company.com' },
          scopes: { backends: ['tavily', 'brave'], tools: ['tavily-search', 'brave_*'], rate_limit: 50 },
        },
      ],
    });
    const res = await gw.exchange(await idp.idToken(), [['scope', 'backends:tavily tools:tavily-search']]);
    expect(res.status).toBe(200);
    expect(res.json().scope).toBe('backends:tavily tools:tavily-search');
    const full = await gw.exchange(await idp.idToken());
    expect(full.json().scope).toBe('backends:tavily,brave tools:tavily-search,brave_*');
  });

  it('honours token_ttl in expires_in', async () => {
    const gw = await start({ keyServer: { token_ttl_secs: 900 } });
    expect((await gw.exchange(await idp.idToken())).json().expires_in).toBe(900);
  });

  describe('every error code, with its body', () => {
    it('400 unsupported_grant_type', async () => {
      const gw = await start();
      const res = await gw.form('/auth/token', [
        ['grant_type', 'authorization_code'],
        ['subject_token', await idp.idToken()],
        ['subject_token_type', ID_TOKEN_TYPE],
      ]);
      expect(res.status).toBe(400);
      expect(res.json()).toEqual(wireError('unsupported_grant_type'));
      expect(res.json()).toEqual({
        error: 'unsupported_grant_type',
        message: 'Only grant_type=urn:ietf:params:oauth:grant-type:token-exchange is supported.',
      });
    });

    it('400 invalid_request', async () => {
      const gw = await start();
      const res = await gw.form('/auth/token', [
        ['grant_type', GRANT],
        ['subject_token_type', ID_TOKEN_TYPE],
      ]);
      expect(res.status).toBe(400);
      expect(res.json()).toEqual({
        error: 'invalid_request',
        message: 'The request is malformed: a parameter is missing, repeated or not understood.',
      });
    });

    it('401 invalid_token', async () => {
      const gw = await start();
      const res = await gw.exchange(await idp.idToken({ aud: 'someone-else' }));
      expect(res.status).toBe(401);
      expect(res.json()).toEqual({ error: 'invalid_token', message: 'The token could not be verified.' });
    });

    it('403 access_denied', async () => {
      const gw = await start();
      const res = await gw.exchange(await idp.idToken({ email: 'eve@elsewhere.org' }));
      expect(res.status).toBe(403);
      expect(res.json()).toEqual({ error: 'access_denied', message: 'No access policy grants this request.' });
    });

    it('429 too_many_tokens, without Retry-After', async () => {
      const gw = await start({ keyServer: { max_tokens_per_identity: 2 } });
      expect((await gw.exchange(await idp.idToken())).status).toBe(200);
      expect((await gw.exchange(await idp.idToken())).status).toBe(200);
      const res = await gw.exchange(await idp.idToken());
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBeUndefined();
      expect(res.json()).toEqual({
        error: 'too_many_tokens',
        message: 'This identity already holds the maximum number of active tokens; revoke one or let one expire.',
      });
    });

    it('429 rate_limited, with Retry-After in seconds', async () => {
      const frozen = Date.now();
      const gw = await start({ keyServer: { issue_rate_limit: 1 }, clock: () => frozen });
      expect((await gw.exchange(await idp.idToken())).status).toBe(200);
      const res = await gw.exchange(await idp.idToken());
      expect(res.status).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(res.json()).toEqual({
        error: 'rate_limited',
        message: 'Too many requests; try again after the delay in Retry-After.',
      });
    });

    it('503 temporarily_unavailable when the issuer’s keys cannot be had', async () => {
      const gw = await start({ issuers: [{ issuer: down.issuer }] });
      const res = await gw.exchange(await down.idToken());
      expect(res.status).toBe(503);
      expect(res.json()).toEqual({
        error: 'temporarily_unavailable',
        message: "The identity provider's signing keys are unavailable; try again shortly.",
      });
    });
  });

  it('lets a token revoke itself (RFC 7009): 200 with an empty body, also for an unknown token', async () => {
    const gw = await start();
    const { access_token: token } = (await gw.exchange(await idp.idToken())).json();
    const res = await gw.form('/auth/revoke', [
      ['token', token],
      ['token_type_hint', 'access_token'],
    ]);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect((await gw.admin('POST', '/auth/introspect', [['token', token]])).json()).toEqual({ active: false });
    const again = await gw.form('/auth/revoke', [['token', token]]);
    expect(again.status).toBe(200);
    expect(again.text).toBe('');
    expect((await gw.form('/auth/revoke', [['token', 'not-even-a-token']])).status).toBe(200);
    expect(gw.audit.events.filter((event) => event.event === 'token.revoked')).toHaveLength(1);
    expect((await gw.form('/auth/revoke', [])).status).toBe(400);
  });

  it('introspects for the admin (RFC 7662)', async () => {
    const gw = await start();
    const issued = (await gw.exchange(await idp.idToken())).json();
    const res = await gw.admin('POST', '/auth/introspect', [['token', issued.access_token]]);
    expect(res.status).toBe(200);
    const json = res.json();
    expect(Object.keys(json).sort()).toEqual(['active', 'exp', 'iat', 'iss', 'jti', 'scope', 'sub', 'token_type']);
    expect(json).toMatchObject({
      active: true,
      sub: 'user-1',
      iss: idp.issuer,
      scope: 'backends:* tools:*',
      jti: issued.jti,
      token_type: 'Bearer',
    });
    expect(json.exp - json.iat).toBe(3600);
    expect((await gw.admin('POST', '/auth/introspect', [['token', `mcpgw_${'A'.repeat(43)}`]])).json()).toEqual({
      active: false,
    });
    const stranger = await gw.form('/auth/introspect', [['token', issued.access_token]], {
      authorization: `Bearer ${issued.access_token}`,
    });
    expect(stranger.status).toBe(401);
    expect(stranger.headers['www-authenticate']).toBe('Bearer');
    expect(stranger.json()).toEqual({ error: 'unauthorized', message: 'Invalid admin token.' });
  });

  it('revokes by jti for the admin: 204, then 404 token_not_found', async () => {
    const gw = await start();
    const issued = (await gw.exchange(await idp.idToken())).json();
    const res = await gw.admin('DELETE', `/auth/token/${issued.jti}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const again = await gw.admin('DELETE', `/auth/token/${issued.jti}`);
    expect(again.status).toBe(404);
    expect(again.json()).toEqual({ error: 'token_not_found', message: 'Token not found, revoked or expired.' });
    expect(gw.audit.events.at(-1)).toMatchObject({ event: 'token.revoked', reason: 'admin', jti: issued.jti });
  });

  it('lists and revokes by subject for the admin, never showing token values', async () => {
    const gw = await start();
    const a = (await gw.exchange(await idp.idToken())).json();
    const b = (await gw.exchange(await idp.idToken())).json();
    await gw.exchange(await idp.idToken({ sub: 'user-2' }));
    const list = await gw.admin('GET', '/auth/tokens?subject=user-1');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain('mcpgw_');
    const json = list.json();
    expect(json.subject).toBe('user-1');
    expect(json.tokens.map((token: { jti: string }) => token.jti)).toEqual([a.jti, b.jti]);
    expect(Object.keys(json.tokens[0]).sort()).toEqual(['expires_at', 'iss', 'issued_at', 'jti', 'scope']);
    expect(json.tokens[0].expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const revoked = await gw.admin('DELETE', '/auth/tokens?subject=user-1');
    expect(revoked.status).toBe(200);
    expect(revoked.json()).toEqual({ revoked: 2, subject: 'user-1' });
    expect((await gw.admin('GET', '/auth/tokens?subject=user-1')).json()).toEqual({ subject: 'user-1', tokens: [] });
    expect((await gw.admin('GET', '/auth/tokens?subject=user-2')).json().tokens).toHaveLength(1);
    expect((await gw.admin('DELETE', '/auth/tokens')).status).toBe(400);
    expect((await gw.admin('GET', '/auth/tokens?subject=a&subject=b')).status).toBe(400);
  });

  it('answers 503 admin_not_configured on admin routes when no admin token is configured', async () => {
    const gw = await start({ noAdmin: true });
    for (const [method, path] of [
      ['DELETE', '/auth/token/x'],
      ['DELETE', '/auth/tokens?subject=s'],
      ['GET', '/auth/tokens?subject=s'],
      ['POST', '/auth/introspect'],
    ] as const) {
      const res = await gw.send(method, path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(res.status).toBe(503);
      expect(res.json()).toEqual({
        error: 'admin_not_configured',
        message: 'No admin token is configured; admin endpoints are disabled.',
      });
    }
  });

  it('serves /healthz and /metrics, and 404/405 elsewhere', async () => {
    const gw = await start();
    await gw.exchange(await idp.idToken());
    const health = await gw.send('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', key_server: true });
    const metrics = await gw.send('GET', '/metrics');
    expect(metrics.text).toContain('llmc_gateway_http_requests_total{route="/auth/token",status="200"} 1');
    expect(metrics.text).toContain('llmc_gateway_token_events_total{event="token.issued"');
    expect((await gw.send('GET', '/nope')).json()).toEqual(wireError('not_found'));
    const wrong = await gw.send('GET', '/auth/token');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
  });

  it('authorize(): static api keys first, then mcpgw_ tokens; expired and revoked ones refused', async () => {
    let now = Date.now();
    const gw = await start({
      clock: () => now,
      top: { auth: { api_keys: ['env:LLMC_TEST_STATIC'] } },
      keyServer: { token_ttl: '10m' },
    });
    const ks = gw.gateway.keyServer;
    expect(await ks.authorize(`Bearer ${STATIC_KEY}`)).toMatchObject({
      ok: true,
      principal: { kind: 'static', name: 'api_keys[0]' },
    });
    const issued = (await gw.exchange(await idp.idToken({ iat: Math.floor(now / 1000) }))).json();
    const used = await ks.authorize(`Bearer ${issued.access_token}`, '10.0.0.1');
    expect(used).toMatchObject({ ok: true, principal: { kind: 'token', record: { jti: issued.jti, sub: 'user-1' } } });
    expect(gw.audit.events.at(-1)).toMatchObject({ event: 'token.used', jti: issued.jti, client_ip: '10.0.0.1' });
    expect(await ks.authorize(`Bearer ${issued.access_token.slice(0, -1)}A`)).toEqual({
      ok: false,
      error: 'invalid_token',
    });
    expect(await ks.authorize('Basic abc')).toEqual({ ok: false, error: 'invalid_token' });
    now += 10 * 60_000;
    expect(await ks.authorize(`Bearer ${issued.access_token}`)).toEqual({ ok: false, error: 'invalid_token' });
    expect(gw.audit.events.at(-1)).toMatchObject({ event: 'token.expired', jti: issued.jti });
  });

  it('takes the client ip from X-Forwarded-For only with trust_proxy', async () => {
    const plain = await start();
    await plain.exchange(await idp.idToken(), []);
    const spoofed = await plain.form(
      '/auth/token',
      [
        ['grant_type', GRANT],
        ['subject_token', await idp.idToken()],
        ['subject_token_type', ID_TOKEN_TYPE],
      ],
      { 'x-forwarded-for': '203.0.113.9' },
    );
    expect(spoofed.status).toBe(200);
    expect(plain.audit.events.at(-1)?.client_ip).toBe('127.0.0.1');
    const proxied = await start({ top: { trust_proxy: true } });
    await proxied.form(
      '/auth/token',
      [
        ['grant_type', GRANT],
        ['subject_token', await idp.idToken()],
        ['subject_token_type', ID_TOKEN_TYPE],
      ],
      { 'x-forwarded-for': '203.0.113.9, 10.0.0.1' },
    );
    expect(proxied.audit.events.at(-1)?.client_ip).toBe('203.0.113.9');
  });

  it('speaks to a client built on plain fetch exactly as to curl --data-urlencode', async () => {
    const gw = await start();
    const res = await fetch(new URL('/auth/token', gw.url), {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: GRANT,
        subject_token: await idp.idToken(),
        subject_token_type: ID_TOKEN_TYPE,
        scope: 'backends:* tools:*',
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const viaRaw = await raw(gw.url, 'GET', '/healthz');
    expect(viaRaw.status).toBe(200);
  });
});
