import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../src/gateway/audit.js';
import { enforce } from '../../../src/gateway/enforce.js';
import { parseGatewayConfig, startGateway } from '../../../src/gateway/index.js';
import { startReaper } from '../../../src/gateway/reaper.js';
import { memoryStore } from '../../../src/gateway/store/memory.js';
import { record } from '../../contract/store.contract.js';
import { type Harness, STATIC_KEY, startHarness } from '../../helpers/gateway-harness.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/jwt-issuer.js';

/** Token lifetimes, caps, rate limits and the audit trail, on an injected clock. */

describe('token lifecycle', () => {
  let idp: TestIssuer;
  let now = Date.UTC(2026, 10, 25, 12, 0, 0);
  let harnesses: Harness[] = [];
  const start = async (options: Partial<Parameters<typeof startHarness>[0]> = {}) => {
    const harness = await startHarness({ issuers: [{ issuer: idp.issuer }], clock: () => now, ...options });
    harnesses.push(harness);
    return harness;
  };
  const idToken = (overrides: Record<string, unknown> = {}) =>
    idp.idToken({ iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + 600, ...overrides });

  beforeAll(async () => {
    idp = await startTestIssuer({ now: () => now });
  });
  afterEach(async () => {
    await Promise.all(harnesses.map((harness) => harness.close()));
    harnesses = [];
  });
  afterAll(async () => {
    await idp.close();
  });

  it('expires a token at its TTL, and the reaper reports it as token.expired', async () => {
    const gw = await start({ keyServer: { token_ttl: '30m', cleanup_interval: '1h' } });
    const issued = (await gw.exchange(await idToken())).json();
    const ks = gw.gateway.keyServer;
    now += 30 * 60_000 - 1;
    expect((await ks.authorize(`Bearer ${issued.access_token}`)).ok).toBe(true);
    now += 1;
    expect(await ks.authorize(`Bearer ${issued.access_token}`)).toEqual({ ok: false, error: 'invalid_token' });
    const reaper = startReaper({
      store: gw.gateway.store,
      intervalMs: 3_600_000,
      clock: () => now,
      onExpired: ks.expired,
    });
    try {
      expect((await reaper.runOnce()).map((one) => one.jti)).toEqual([issued.jti]);
    } finally {
      reaper.stop();
    }
    expect(gw.audit.events.filter((event) => event.event === 'token.expired').map((event) => event.jti)).toEqual([
      issued.jti,
      issued.jti,
    ]);
    expect((await gw.admin('POST', '/auth/introspect', [['token', issued.access_token]])).json()).toEqual({
      active: false,
    });
  });

  it('frees the cap when tokens expire', async () => {
    const gw = await start({ keyServer: { max_tokens_per_identity: 1, token_ttl: '10m' } });
    expect((await gw.exchange(await idToken())).status).toBe(200);
    expect((await gw.exchange(await idToken())).status).toBe(429);
    now += 10 * 60_000;
    expect((await gw.exchange(await idToken())).status).toBe(200);
  });

  it('with on_token_cap: evict_oldest, revokes the oldest token and says so in the audit', async () => {
    const gw = await start({ keyServer: { max_tokens_per_identity: 2, on_token_cap: 'evict_oldest' } });
    const first = (await gw.exchange(await idToken())).json();
    now += 1000;
    const second = (await gw.exchange(await idToken())).json();
    now += 1000;
    const third = await gw.exchange(await idToken());
    expect(third.status).toBe(200);
    const ks = gw.gateway.keyServer;
    expect((await ks.authorize(`Bearer ${first.access_token}`)).ok).toBe(false);
    expect((await ks.authorize(`Bearer ${second.access_token}`)).ok).toBe(true);
    expect(gw.audit.events.find((event) => event.reason === 'evicted_oldest')).toMatchObject({
      event: 'token.revoked',
      jti: first.jti,
    });
  });

  it('limits issuance per identity per minute, with Retry-After to the window’s end', async () => {
    now = Date.UTC(2026, 10, 25, 13, 0, 20);
    const gw = await start({ keyServer: { issue_rate_limit: 2, max_tokens_per_identity: 10 } });
    expect((await gw.exchange(await idToken())).status).toBe(200);
    expect((await gw.exchange(await idToken())).status).toBe(200);
    const limited = await gw.exchange(await idToken());
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('40');
    expect((await gw.exchange(await idToken({ sub: 'someone-else' }))).status).toBe(200);
    now += 40_000;
    expect((await gw.exchange(await idToken())).status).toBe(200);
  });

  it('limits use per identity with the policy’s rate_limit (requests per minute)', async () => {
    now = Date.UTC(2026, 10, 25, 14, 0, 0);
    const gw = await start({
      policies: [{ match: { domain: 'company.com' }, scopes: { backends: ['*'], tools: ['*'], rate_limit: 3 } }],
    });
    const a = (await gw.exchange(await idToken())).json();
    const b = (await gw.exchange(await idToken())).json();
    const ks = gw.gateway.keyServer;
    expect((await ks.authorize(`Bearer ${a.access_token}`)).ok).toBe(true);
    expect((await ks.authorize(`Bearer ${b.access_token}`)).ok).toBe(true);
    expect((await ks.authorize(`Bearer ${a.access_token}`)).ok).toBe(true);
    // A second token of the same identity shares the identity's budget.
    expect(await ks.authorize(`Bearer ${b.access_token}`)).toEqual({
      ok: false,
      error: 'rate_limited',
      retryAfterSecs: 60,
    });
    expect(gw.audit.events.at(-1)).toMatchObject({ event: 'token.denied', reason: 'use_rate_limited', jti: b.jti });
    now += 60_000;
    expect((await ks.authorize(`Bearer ${b.access_token}`)).ok).toBe(true);
  });

  it('checks static api keys before tokens, with their own rate limit', async () => {
    const gw = await start({
      top: {
        auth: { api_keys: [{ key: 'env:LLMC_TEST_STATIC', name: 'ci-bot', rate_limit: 1, backends: ['tavily'] }] },
      },
    });
    const ks = gw.gateway.keyServer;
    expect(await ks.authorize(`Bearer ${STATIC_KEY}`)).toEqual({
      ok: true,
      principal: { kind: 'static', name: 'ci-bot', scopes: { backends: ['tavily'], tools: ['*'], rate_limit: 1 } },
    });
    expect((await ks.authorize(`Bearer ${STATIC_KEY}`)).ok).toBe(false);
    expect((await ks.authorize(`Bearer ${STATIC_KEY}x`)).ok).toBe(false);
  });
});

describe('audit log', () => {
  it('writes JSON lines with a timestamp to a 0600 file, and never a credential', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llmc-audit-'));
    try {
      const file = join(dir, 'audit.jsonl');
      const log = createAuditLog({ file, clock: () => Date.UTC(2026, 10, 25, 12, 0, 0) });
      log.emit({
        event: 'token.issued',
        identity: { iss: 'https://i', sub: 'repo:org/code-x:ref:refs/heads/main' },
        jti: 'j1',
      });
      log.emit({ event: 'token.invalid', reason: `leak mcpgw_${'a'.repeat(43)} eyJhbGciOi.eyJzdWIiOi.c2ln` });
      await log.close();
      const lines = (await readFile(file, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines[0]).toEqual({
        event: 'token.issued',
        identity: { iss: 'https://i', sub: 'repo:org/code-x:ref:refs/heads/main' },
        jti: 'j1',
        timestamp: '2026-11-25T12:00:00.000Z',
      });
      expect(lines[1].reason).toBe('leak [REDACTED] [REDACTED]');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('audit log failures', () => {
  it('reports a failing audit file to onError instead of crashing the process', async () => {
    const failed = new Promise<unknown>((resolve) => {
      const log = createAuditLog({ file: '/dev/full', onError: resolve });
      log.emit({ event: 'token.issued', jti: 'j1' });
    });
    expect(await failed).toMatchObject({ code: 'ENOSPC' });
  });

  it('refuses to start when audit.file cannot be opened, rather than dying after it listens', async () => {
    const config = parseGatewayConfig(
      'gateway.yaml',
      'listen: 127.0.0.1:0\naudit: { file: /nonexistent-llmc-dir/audit.jsonl }\n',
    );
    await expect(startGateway(config)).rejects.toMatchObject({ code: 'ERR_GATEWAY_CONFIG' });
  });
});

describe('reaper', () => {
  it('runs on its interval and reports each expired record once', async () => {
    const store = memoryStore();
    let now = 1_000_000;
    await store.put(record({ issued_at: now, expires_at: now + 10 }), { maxPerIdentity: 5, onCap: 'reject', now });
    const reported: string[][] = [];
    const reaper = startReaper({
      store,
      intervalMs: 10,
      clock: () => now,
      onExpired: (records) => reported.push(records.map((r) => r.jti)),
    });
    try {
      now += 10;
      const deadline = Date.now() + 2000;
      while (reported.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(reported).toHaveLength(1);
    } finally {
      reaper.stop();
    }
  });
});

describe('enforce (the data plane check)', () => {
  let idp: TestIssuer;
  let gw: Harness;
  beforeAll(async () => {
    idp = await startTestIssuer();
    const frozen = Date.now();
    gw = await startHarness({
      issuers: [{ issuer: idp.issuer }],
      clock: () => frozen,
      policies: [
        {
          match: { domain: 'company.com' },
          scopes: { backends: ['tavily', 'brave'], tools: ['tavily-search', 'brave_*'], rate_limit: 2 },
        },
      ],
      top: { auth: { api_keys: [{ key: 'env:LLMC_TEST_STATIC', name: 'ops', backends: ['openai'] }] } },
    });
  });
  afterAll(async () => {
    await gw?.close();
    await idp?.close();
  });

  it('admits calls inside the scopes, refuses others with 401/403/429 and audits the refusal', async () => {
    const { access_token: token, jti } = (await gw.exchange(await idp.idToken())).json();
    const ks = gw.gateway.keyServer;
    const authorization = `Bearer ${token}`;
    expect(await enforce(ks, { authorization, backend: 'brave', tool: 'brave_web_search' })).toMatchObject({
      ok: true,
      principal: { kind: 'token', record: { jti } },
    });
    expect(await enforce(ks, { authorization, backend: 'openai', clientIp: '10.1.1.1' })).toEqual({
      ok: false,
      status: 403,
      error: 'access_denied',
    });
    expect(gw.audit.events.at(-1)).toMatchObject({
      event: 'token.denied',
      reason: 'backend_scope',
      jti,
      client_ip: '10.1.1.1',
    });
    expect(await enforce(ks, { authorization, backend: 'tavily', tool: 'tavily-extract' })).toMatchObject({
      ok: false,
      status: 429,
      error: 'rate_limited',
    });
    expect(await enforce(ks, { authorization: 'Bearer nope' })).toEqual({
      ok: false,
      status: 401,
      error: 'invalid_token',
    });
    expect(await enforce(ks, { authorization: `Bearer ${STATIC_KEY}`, backend: 'openai' })).toMatchObject({
      ok: true,
      principal: { kind: 'static', name: 'ops' },
    });
    expect(await enforce(ks, { authorization: `Bearer ${STATIC_KEY}`, backend: 'tavily' })).toMatchObject({
      status: 403,
    });
  });
});
