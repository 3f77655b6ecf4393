import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devSigningKey } from '../../../src/dev/idp.js';
import {
  type DevIdp,
  loginDev,
  readTokenJson,
  startIdp,
  type TokenJson,
  waitFor,
  writeTokenJson,
} from '../../helpers/auth.js';
import { runLlmc, tempHome } from '../../helpers/cli.js';
import { type Harness, startHarness } from '../../helpers/gateway-harness.js';
import { closedPort, GATEWAY_KEYS, RFC3339_SECONDS } from './serve-child.js';

/**
 * `llmc auth login --provider dev --gateway URL` and `llmc auth token
 * --gateway` end to end: the real CLI (child processes) logs in to the dev IdP
 * through the scripted form browser and exchanges at a real in-process
 * gateway; renewals happen with no user action, with a new id_token from the
 * IdP whenever the cached one is older than the gateway accepts.
 */

const key = devSigningKey();
let idp: DevIdp;
/** token_ttl 3 s: renewal observable by waiting out one TTL. */
let short: Harness;
/** token_ttl 1 h: a token stays usable, expiry is simulated by editing token.json. */
let long: Harness;
/** max_oidc_token_age_secs 30 (+60 s leeway): stricter than the CLI's own 240 s reuse limit. */
let strict: Harness;
const cleanups: Array<() => Promise<void>> = [];

const refreshes = () => idp.counters.grants.refresh_token ?? 0;
const issued = (harness: Harness) => harness.audit.events.filter((event) => event.event === 'token.issued').length;
const active = async (harness: Harness, token: string) =>
  (await harness.admin('POST', '/auth/introspect', [['token', token]])).json() as Promise<Record<string, unknown>>;

async function home(): Promise<string> {
  const made = await tempHome('llmc-gw-dev-');
  cleanups.push(made.cleanup);
  return made.home;
}

async function loggedIn(harness: Harness): Promise<string> {
  const dir = await home();
  const result = await loginDev(idp, { home: dir, args: ['--gateway', harness.url] });
  expect(result.exitCode, result.stderr).toBe(0);
  return dir;
}

async function edit(dir: string, change: (profile: Record<string, any>) => void): Promise<void> {
  const data: TokenJson = await readTokenJson(dir);
  change(data.profiles.dev as Record<string, any>);
  await writeTokenJson(dir, data);
}

/** An id_token exactly as the dev IdP signs them, but issued `ageS` seconds ago. */
async function oldIdToken(ageS: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email: 'alice@company.com', email_verified: true })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid as string, typ: 'JWT' })
    .setIssuer(idp.issuer)
    .setSubject('alice')
    .setAudience('llmc-cli')
    .setIssuedAt(now - ageS)
    .setExpirationTime(now + 3000)
    .sign(await importJWK(key as never, 'RS256'));
}

beforeAll(async () => {
  idp = await startIdp({ keys: [key], users: { alice: { email: 'alice@company.com', name: 'Alice' } } });
  const gateway = (keyServer: Record<string, unknown>) =>
    startHarness({
      issuers: [{ issuer: idp.issuer, audiences: ['llmc-cli'] }],
      policies: [{ match: { issuer: idp.issuer }, scopes: { backends: ['*'], tools: ['*'] } }],
      keyServer: { max_tokens_per_identity: 50, ...keyServer },
    });
  [short, long, strict] = await Promise.all([
    gateway({ token_ttl_secs: 3 }),
    gateway({ token_ttl_secs: 3600 }),
    gateway({ token_ttl_secs: 3600, max_oidc_token_age_secs: 30 }),
  ]);
});

afterAll(async () => {
  await Promise.all([short, long, strict].map((harness) => harness?.close()));
  await idp?.close();
  for (const cleanup of cleanups) await cleanup();
});

describe('llmc auth login --provider dev --gateway', () => {
  it('stores the gateway block of ARCHITECTURE §3 next to the IdP login', async () => {
    const dir = await home();
    const result = await loginDev(idp, { home: dir, args: ['--gateway', long.url] });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Logged in to 127.0.0.1');
    expect(result.stdout).toContain(`Gateway token from ${new URL(long.url).host}: valid for 59m`);
    expect(result.stdout + result.stderr).not.toContain('mcpgw_');
    const profile = (await readTokenJson(dir)).profiles.dev as Record<string, any>;
    expect(profile).toMatchObject({ provider: 'dev', subject: 'alice', refresh_token: { store: 'file' } });
    expect(Object.keys(profile.gateway).sort()).toEqual(GATEWAY_KEYS);
    expect(profile.gateway).toMatchObject({ url: long.url, token_type: 'Bearer', scope: 'backends:* tools:*' });
    expect(profile.gateway.expires_at).toMatch(RFC3339_SECONDS);
    expect(profile.gateway_request).toMatchObject({ url: long.url, jti: profile.gateway.jti });
    expect(await active(long, profile.gateway.access_token)).toMatchObject({ active: true, sub: 'alice' });
    // The cached token is printed as it is (no exchange, no refresh).
    const before = { issued: issued(long), refreshes: refreshes() };
    const token = await runLlmc(['auth', 'token', '--gateway'], { home: dir });
    expect(token).toMatchObject({ exitCode: 0, stdout: profile.gateway.access_token });
    expect({ issued: issued(long), refreshes: refreshes() }).toEqual(before);
  });

  it('--json prints one document that includes the gateway token summary', async () => {
    const dir = await home();
    const result = await loginDev(idp, { home: dir, args: ['--json', '--gateway', long.url] });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      profile: 'dev',
      subject: 'alice',
      gateway: { url: long.url, scope: 'backends:* tools:*', jti: expect.any(String) },
    });
    expect(result.stdout).not.toContain('mcpgw_');
  });

  it('after the gateway token_ttl, `auth token --gateway` returns a new valid token with no user action', async () => {
    const dir = await loggedIn(short);
    const first = (await readTokenJson(dir)).profiles.dev?.gateway;
    const before = refreshes();
    // Wait out the 3 s TTL (the token is then expired at the gateway too).
    await waitFor(() => Date.now() > Date.parse(first.expires_at) + 1100 || undefined, 10_000);
    expect(await active(short, first.access_token)).toEqual({ active: false });
    const result = await runLlmc(['auth', 'token', '--gateway'], { home: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^mcpgw_/);
    expect(result.stdout).not.toBe(first.access_token);
    const second = (await readTokenJson(dir)).profiles.dev?.gateway;
    expect(second.access_token).toBe(result.stdout);
    expect(second.jti).not.toBe(first.jti);
    expect(await active(short, result.stdout)).toMatchObject({ active: true, sub: 'alice', jti: second.jti });
    // The id_token from the login was young enough to exchange again: no refresh was needed.
    expect(refreshes() - before).toBe(0);
  });

  it('an id_token older than the gateway accepts is refreshed at the IdP first', async () => {
    const dir = await loggedIn(long);
    const planted = await oldIdToken(600);
    // The gateway itself refuses this id_token: too old by `iat`.
    expect((await long.exchange(planted)).json()).toMatchObject({ error: 'invalid_token' });
    const old = (await readTokenJson(dir)).profiles.dev?.gateway;
    await edit(dir, (profile) => {
      profile.id_token = planted;
      profile.gateway.expires_at = '2020-01-01T00:00:00Z';
    });
    const before = refreshes();
    const result = await runLlmc(['auth', 'token', '--gateway'], { home: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(refreshes() - before).toBe(1);
    expect(result.stdout).not.toBe(old.access_token);
    expect(await active(long, result.stdout)).toMatchObject({ active: true, sub: 'alice' });
    const profile = (await readTokenJson(dir)).profiles.dev as Record<string, any>;
    expect(profile.id_token).not.toBe(planted);
    expect(profile.gateway.access_token).toBe(result.stdout);
    expect(await idp.isActive(profile.refresh_token.value, 'RefreshToken')).toBe(true);
  });

  it('a gateway stricter than the CLI about id_token age: refused once, refreshed, exchanged', async () => {
    const dir = await loggedIn(strict);
    // 150 s old: the CLI would reuse it (< 240 s), the gateway refuses it (> 30 + 60 s).
    const planted = await oldIdToken(150);
    expect((await strict.exchange(planted)).json()).toMatchObject({ error: 'invalid_token' });
    await edit(dir, (profile) => {
      profile.id_token = planted;
      profile.gateway.expires_at = '2020-01-01T00:00:00Z';
    });
    const before = refreshes();
    const result = await runLlmc(['auth', 'token', '--gateway'], { home: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(refreshes() - before).toBe(1);
    expect(await active(strict, result.stdout)).toMatchObject({ active: true });
  });

  it('10 concurrent `auth token --gateway` with an expired gateway token exchange once and print the same token', async () => {
    const dir = await loggedIn(long);
    await edit(dir, (profile) => {
      profile.gateway.expires_at = '2020-01-01T00:00:00Z';
    });
    const before = issued(long);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => runLlmc(['auth', 'token', '--gateway'], { home: dir })),
    );
    for (const result of results) expect(result.exitCode, result.stderr).toBe(0);
    expect(new Set(results.map((result) => result.stdout)).size).toBe(1);
    expect(issued(long) - before).toBe(1);
    expect(await active(long, results[0]?.stdout as string)).toMatchObject({ active: true });
  });

  it('--scope narrows, sticks to the profile, and --scope "" asks for the full grant again', async () => {
    const dir = await loggedIn(long);
    const narrowed = await runLlmc(['auth', 'token', '--gateway', '--scope', 'backends:openai tools:search'], {
      home: dir,
    });
    expect(narrowed.exitCode, narrowed.stderr).toBe(0);
    expect(await active(long, narrowed.stdout)).toMatchObject({ active: true, scope: 'backends:openai tools:search' });
    const profile = (await readTokenJson(dir)).profiles.dev as Record<string, any>;
    expect(profile.gateway.scope).toBe('backends:openai tools:search');
    expect(profile.gateway_request.scope).toBe('backends:openai tools:search');
    // Same scope, or none named: the cached token.
    const before = issued(long);
    for (const args of [['--scope', 'tools:search backends:openai'], []]) {
      const again = await runLlmc(['auth', 'token', '--gateway', ...args], { home: dir });
      expect(again.stdout).toBe(narrowed.stdout);
    }
    expect(issued(long)).toBe(before);
    const full = await runLlmc(['auth', 'token', '--gateway', '--scope', ''], { home: dir });
    expect(full.exitCode, full.stderr).toBe(0);
    expect(await active(long, full.stdout)).toMatchObject({ scope: 'backends:* tools:*' });
    expect((await readTokenJson(dir)).profiles.dev?.gateway_request.scope).toBeUndefined();
  });

  it('auth status shows the gateway token without the token; logout --gateway and logout revoke it', async () => {
    const dir = await loggedIn(long);
    const token = (await readTokenJson(dir)).profiles.dev?.gateway.access_token as string;
    const status = await runLlmc(['auth', 'status'], { home: dir });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toContain(`  gateway:        ${long.url}`);
    expect(status.stdout).toMatch(/ {2}gateway token: {2}valid for 59m \(until \d{4}-.+Z\)/);
    expect(status.stdout).toContain('  gateway scope:  backends:* tools:*');
    expect(status.stdout).not.toContain('mcpgw_');
    const json = await runLlmc(['--json', 'auth', 'status'], { home: dir });
    expect(JSON.parse(json.stdout).profiles[0].gateway).toMatchObject({
      url: long.url,
      scope: 'backends:* tools:*',
      expires_at: expect.stringMatching(RFC3339_SECONDS),
      expires_in_s: expect.any(Number),
    });
    expect(json.stdout).not.toContain('mcpgw_');

    const dropGateway = await runLlmc(['auth', 'logout', '--gateway'], { home: dir });
    expect(dropGateway.exitCode, dropGateway.stderr).toBe(0);
    expect(dropGateway.stderr).toContain(`Revoked the gateway token of dev at ${new URL(long.url).host}`);
    expect(await active(long, token)).toEqual({ active: false });
    const kept = (await readTokenJson(dir)).profiles.dev as Record<string, any>;
    expect(kept.gateway).toBeUndefined();
    expect(kept.subject).toBe('alice');
    // The profile still knows its gateway: the next call exchanges again.
    const next = await runLlmc(['auth', 'token', '--gateway'], { home: dir });
    expect(next.exitCode, next.stderr).toBe(0);
    expect(await active(long, next.stdout)).toMatchObject({ active: true });

    const logout = await runLlmc(['auth', 'logout'], { home: dir });
    expect(logout.exitCode, logout.stderr).toBe(0);
    expect(await active(long, next.stdout)).toEqual({ active: false });
    expect((await readTokenJson(dir)).profiles.dev).toBeUndefined();
  });

  it('a profile logged in without a gateway uses config defaults.gateway, and says how to get one without it', async () => {
    const dir = await home();
    expect((await loginDev(idp, { home: dir })).exitCode).toBe(0);
    const none = await runLlmc(['auth', 'token', '--gateway'], { home: dir });
    expect(none.exitCode).toBe(3);
    expect(none.stderr).toContain('llmc: profile "dev" has no gateway');
    expect(none.stderr).toContain('hint: run llmc auth login --profile dev --gateway URL');
    expect((await runLlmc(['config', 'set', 'defaults.gateway', long.url], { home: dir })).exitCode).toBe(0);
    const token = await runLlmc(['auth', 'token', '--gateway'], { home: dir });
    expect(token.exitCode, token.stderr).toBe(0);
    expect(await active(long, token.stdout)).toMatchObject({ active: true, sub: 'alice' });
    expect((await readTokenJson(dir)).profiles.dev?.gateway.url).toBe(long.url);
  });

  it('an unreachable gateway: exit 5, the IdP login is kept, and `auth token --gateway` retries later', async () => {
    const dir = await home();
    const port = await closedPort();
    const result = await loginDev(idp, { home: dir, args: ['--gateway', `http://127.0.0.1:${port}`] });
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toContain(`llmc: could not reach the gateway at http://127.0.0.1:${port}`);
    expect(result.stderr).toContain('the login to 127.0.0.1');
    const profile = (await readTokenJson(dir)).profiles.dev as Record<string, any>;
    expect(profile.subject).toBe('alice');
    expect(profile.gateway).toBeUndefined();
    expect(profile.gateway_request).toEqual({ url: `http://127.0.0.1:${port}` });
    const retry = await runLlmc(['auth', 'token', '--gateway'], { home: dir });
    expect(retry.exitCode).toBe(5);
  });

  it('a plain-http non-loopback gateway is refused (exit 2) before the browser opens', async () => {
    const dir = await home();
    const log = join(dir, '..', 'browser.log');
    const result = await loginDev(idp, {
      home: dir,
      args: ['--gateway', 'http://gw.example.com'],
      env: { FORM_BROWSER_LOG: log },
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('llmc: refusing the plain-http gateway http://gw.example.com');
    await expect(stat(log)).rejects.toThrow();
    await expect(stat(join(dir, 'token.json'))).rejects.toThrow();
  });
});
