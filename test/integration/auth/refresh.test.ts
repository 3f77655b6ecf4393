import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as oidcClient from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devSigningKey } from '../../../src/dev/idp.js';
import { type DevIdp, expireTokens, loginDev, readTokenJson, startIdp, waitFor } from '../../helpers/auth.js';
import { runLlmc, tempHome } from '../../helpers/cli.js';

let idp: DevIdp;
const cleanups: Array<() => Promise<void>> = [];

async function loggedInHome(): Promise<string> {
  const made = await tempHome('llmc-refresh-');
  cleanups.push(made.cleanup);
  const result = await loginDev(idp, { home: made.home });
  expect(result.exitCode, result.stderr).toBe(0);
  return made.home;
}

const refreshes = () => idp.counters.grants.refresh_token ?? 0;

beforeAll(async () => {
  idp = await startIdp();
});
afterAll(async () => {
  await idp.close();
  for (const cleanup of cleanups) await cleanup();
});

describe('refresh', () => {
  it('10 parallel `auth token` with an expired access token refresh exactly once and print the same valid token', async () => {
    const home = await loggedInHome();
    await expireTokens(home);
    const before = refreshes();
    const results = await Promise.all(Array.from({ length: 10 }, () => runLlmc(['auth', 'token'], { home })));
    for (const result of results) expect(result.exitCode, result.stderr).toBe(0);
    const printed = new Set(results.map((result) => result.stdout));
    expect(printed.size).toBe(1);
    expect(refreshes() - before).toBe(1);
    const [token] = [...printed] as [string];
    expect(await idp.isActive(token, 'AccessToken')).toBe(true);
    expect((await readTokenJson(home)).profiles.dev?.access_token).toBe(token);
  });

  it('20 successive refreshes with rotation leave a working grant and the newest refresh token stored', async () => {
    const home = await loggedInHome();
    const seen: string[] = [(await readTokenJson(home)).profiles.dev?.refresh_token.value];
    const before = refreshes();
    const tokens = new Set<string>();
    for (let i = 0; i < 20; i++) {
      // --min-valid beyond the token's lifetime forces a refresh on every call.
      const result = await runLlmc(['auth', 'token', '--min-valid', '999999'], { home });
      expect(result.exitCode, result.stderr).toBe(0);
      tokens.add(result.stdout);
      seen.push((await readTokenJson(home)).profiles.dev?.refresh_token.value);
    }
    expect(refreshes() - before).toBe(20);
    expect(tokens.size).toBe(20);
    // Every refresh rotated the refresh token, and each new one was persisted.
    expect(new Set(seen).size).toBe(21);
    const newest = seen.at(-1) as string;
    expect(await idp.isActive(newest, 'RefreshToken')).toBe(true);
    for (const old of seen.slice(0, -1)) expect(await idp.isActive(old, 'RefreshToken')).toBe(false);
    // The grant still works: one more refresh through the CLI succeeds (a reused old token would have revoked it).
    const again = await runLlmc(['auth', 'token', '--min-valid', '999999'], { home });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(await idp.isActive(again.stdout, 'AccessToken')).toBe(true);
    // 22 CLI processes in a row: on two loaded cores that can pass the default 30 s.
  }, 120_000);

  it('a rotated refresh token is stored even when the refreshed id_token then fails verification', async () => {
    const home = await loggedInHome();
    const stale = (await readTokenJson(home)).profiles.dev?.refresh_token.value as string;
    // The cached JWKS (confirmed just now, so no re-download) holds a key the IdP does not sign with.
    const cache = join(home, 'cache');
    let poisoned = 0;
    for (const name of await readdir(cache)) {
      const entry = JSON.parse(await readFile(join(cache, name), 'utf8')) as { url: string; body: string };
      if (!entry.url.endsWith('/jwks')) continue;
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...other } = devSigningKey();
      const body = JSON.stringify({ keys: [other] });
      await writeFile(
        join(cache, name),
        JSON.stringify({ ...entry, body, fetched_at: Date.now(), fresh_until: Date.now() + 3_600_000 }),
      );
      poisoned += 1;
    }
    expect(poisoned).toBe(1);
    // Within the login's second the IdP would sign the very same id_token again, which needs no verification.
    const idToken = (await readTokenJson(home)).profiles.dev?.id_token as string;
    const { iat } = JSON.parse(Buffer.from(idToken.split('.')[1] as string, 'base64url').toString('utf8'));
    await waitFor(() => Math.floor(Date.now() / 1000) > iat);
    await expireTokens(home);
    const failed = await runLlmc(['auth', 'token'], { home });
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain("the IdP's id_token was rejected");
    // The IdP rotated the refresh token before we rejected the id_token: the new one must not be lost.
    const stored = (await readTokenJson(home)).profiles.dev?.refresh_token.value as string;
    expect(stored).not.toBe(stale);
    expect(await idp.isActive(stored, 'RefreshToken')).toBe(true);
    // With a good key set again, the grant still works.
    for (const name of await readdir(cache)) await writeFile(join(cache, name), '{}');
    const again = await runLlmc(['auth', 'token'], { home });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(await idp.isActive(again.stdout, 'AccessToken')).toBe(true);
  });

  it('a refresh token reused after rotation revokes the grant: exit 3 with run llmc auth login', async () => {
    const home = await loggedInHome();
    const stale = (await readTokenJson(home)).profiles.dev?.refresh_token.value as string;
    expect((await runLlmc(['auth', 'token', '--min-valid', '999999'], { home })).exitCode).toBe(0);
    // Someone replays the old refresh token: oidc-provider revokes the whole grant.
    const config = new oidcClient.Configuration(
      (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as oidcClient.ServerMetadata,
      'llmc-cli',
      undefined,
      oidcClient.None(),
    );
    oidcClient.allowInsecureRequests(config);
    await expect(oidcClient.refreshTokenGrant(config, stale)).rejects.toThrow();
    await expireTokens(home);
    const before = await readFile(join(home, 'token.json'), 'utf8');
    const result = await runLlmc(['auth', 'token'], { home });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('llmc: the IdP no longer accepts the refresh token (invalid_grant');
    expect(result.stderr).toContain('hint: run llmc auth login');
    expect(await readFile(join(home, 'token.json'), 'utf8')).toBe(before);
  });

  it('an expired token and an unreachable IdP: exit 5, token.json unchanged', async () => {
    const made = await tempHome('llmc-refresh-');
    cleanups.push(made.cleanup);
    const other = await startIdp();
    expect((await loginDev(other, { home: made.home })).exitCode).toBe(0);
    await other.close();
    await expireTokens(made.home);
    const before = await readFile(join(made.home, 'token.json'), 'utf8');
    const result = await runLlmc(['auth', 'token'], { home: made.home });
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toMatch(/llmc: could not reach/);
    expect(await readFile(join(made.home, 'token.json'), 'utf8')).toBe(before);
  });

  it('a token that is still valid but inside --min-valid is served when the IdP is unreachable', async () => {
    const made = await tempHome('llmc-refresh-');
    cleanups.push(made.cleanup);
    const other = await startIdp();
    expect((await loginDev(other, { home: made.home })).exitCode).toBe(0);
    await other.close();
    const stored = (await readTokenJson(made.home)).profiles.dev?.access_token;
    const result = await runLlmc(['auth', 'token', '--min-valid', '999999'], { home: made.home });
    expect(result).toMatchObject({ exitCode: 0, stdout: stored });
    expect(result.stderr).toContain('could not refresh');
  });

  it('login against an unreachable issuer exits 5 and writes nothing', async () => {
    const made = await tempHome('llmc-refresh-');
    cleanups.push(made.cleanup);
    const probe = createServer();
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)),
    );
    await new Promise((resolve) => probe.close(resolve));
    const result = await runLlmc(['auth', 'login', '--issuer', `http://127.0.0.1:${port}`, '--client-id', 'x'], {
      home: made.home,
      env: { BROWSER: 'true' },
    });
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toContain(`llmc: could not reach http://127.0.0.1:${port}`);
    await expect(readFile(join(made.home, 'token.json'), 'utf8')).rejects.toThrow();
  });
});
