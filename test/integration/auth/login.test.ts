import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  authUrlIn,
  type DevIdp,
  type LiveCli,
  loginDev,
  readTokenJson,
  spawnLlmc,
  startIdp,
  waitFor,
} from '../../helpers/auth.js';
import { runLlmc, tempHome } from '../../helpers/cli.js';
// @ts-expect-error plain ESM helper without types
import { drive } from '../../helpers/form-browser.mjs';

let idp: DevIdp;
const cleanups: Array<() => Promise<void>> = [];
const children: LiveCli[] = [];

async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await new Promise<number>((resolve) =>
    probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)),
  );
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function home(): Promise<string> {
  const made = await tempHome('llmc-auth-');
  cleanups.push(made.cleanup);
  return made.home;
}

beforeAll(async () => {
  idp = await startIdp({ users: { alice: { name: 'Alice Doe', email: 'alice@company.com', groups: ['eng'] } } });
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});
afterAll(async () => {
  await idp.close();
  for (const cleanup of cleanups) await cleanup();
});

describe('llmc auth login --provider dev (browser, PKCE, loopback)', () => {
  it('logs in, stores token.json v1 (0600) and the refresh token in the file store', async () => {
    const dir = await home();
    const result = await loginDev(idp, { home: dir });
    expect(result.stderr).toContain('/auth?');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Logged in to 127.0.0.1');
    expect(result.stdout).toContain('alice@company.com');
    const data = await readTokenJson(dir);
    expect(data.version).toBe(1);
    expect(data.default_profile).toBe('dev');
    const profile = data.profiles.dev as Record<string, any>;
    expect(profile).toMatchObject({
      provider: 'dev',
      issuer: idp.issuer,
      client_id: 'llmc-cli',
      subject: 'alice',
      email: 'alice@company.com',
      name: 'Alice Doe',
      groups: ['eng'],
      domain: 'company.com',
      refresh_token: { store: 'file' },
    });
    expect(profile.access_token_expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(profile.scope).toContain('offline_access');
    expect((await stat(join(dir, 'token.json'))).mode & 0o777).toBe(0o600);
    expect(await idp.isActive(profile.refresh_token.value, 'RefreshToken')).toBe(true);
    // The authorization request carried PKCE S256, state and nonce.
    const url = authUrlIn(result.stderr) as URL;
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).toBeTruthy();
    expect(url.searchParams.get('nonce')).toBeTruthy();
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);

    const status = await runLlmc(['auth', 'status'], { home: dir });
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain('alice@company.com');
    expect(status.stdout).toContain(idp.issuer);
    expect(status.stdout).toMatch(/access token: +valid for \d+m \(until \d{4}-/);
    expect(status.stdout).toContain('token.json (file, mode 0600)');
    const json = JSON.parse((await runLlmc(['auth', 'status', '--json'], { home: dir })).stdout);
    expect(json.profiles[0]).toMatchObject({ profile: 'dev', subject: 'alice', refresh_token: { store: 'file' } });
    expect(JSON.stringify(json)).not.toContain(profile.refresh_token.value);
    expect(JSON.stringify(json)).not.toContain(profile.access_token);

    const token = await runLlmc(['auth', 'token'], { home: dir });
    expect(token).toMatchObject({ exitCode: 0, stdout: profile.access_token });
    expect(await idp.isActive(token.stdout, 'AccessToken')).toBe(true);
    const idToken = await runLlmc(['auth', 'token', '--id-token'], { home: dir });
    expect(idToken).toMatchObject({ exitCode: 0, stdout: profile.id_token });
  });

  it('--port uses that port for the redirect URI', async () => {
    const dir = await home();
    const port = await freePort();
    const result = await loginDev(idp, { home: dir, args: ['--port', String(port)] });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(authUrlIn(result.stderr)?.searchParams.get('redirect_uri')).toBe(`http://127.0.0.1:${port}/callback`);
  });

  it('--no-browser prints the URL and accepts the pasted redirect URL on stdin', async () => {
    const dir = await home();
    const cli = spawnLlmc(['auth', 'login', '--provider', 'dev', '--no-browser'], {
      home: dir,
      env: { LLMC_DEV_ISSUER: idp.issuer, BROWSER: undefined },
    });
    children.push(cli);
    const url = await waitFor(() => authUrlIn(cli.stderr()));
    expect(cli.stderr()).toContain('paste it here');
    const landed = await drive(url.href, { login: 'bob', stopAtCallback: true });
    cli.write(`${landed.url}\n`);
    expect(await cli.exited, cli.stderr()).toBe(0);
    expect(cli.stdout()).toContain('as bob@example.com');
    expect((await readTokenJson(dir)).profiles.dev?.subject).toBe('bob');
  });

  it('error=access_denied (Cancel in the IdP) exits 4, says so in the tab, and writes nothing', async () => {
    const dir = await home();
    const result = await loginDev(idp, { home: dir, action: 'cancel' });
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(/llmc: the login was denied/);
    expect(result.stderr).toContain('hint:');
    await expect(stat(join(dir, 'token.json'))).rejects.toThrow();
  });

  it('a callback with the wrong state is refused; the page says so and the listener closes', async () => {
    const dir = await home();
    // A port of its own (not the shared default), so that probing it after the exit cannot
    // reach another test's login listening on the default port.
    const cli = spawnLlmc(['auth', 'login', '--provider', 'dev', '--port', String(await freePort())], {
      home: dir,
      env: { LLMC_DEV_ISSUER: idp.issuer, BROWSER: 'true' },
    });
    children.push(cli);
    const url = await waitFor(() => authUrlIn(cli.stderr()));
    const callback = url.searchParams.get('redirect_uri') as string;
    const page = await fetch(`${callback}?code=stolen&state=forged`);
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(html).toContain('Login failed');
    expect(html).toContain('state does not match');
    expect(html).toContain('close this tab');
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain("llmc: the login callback's state does not match this login");
    await expect(fetch(callback)).rejects.toThrow();
    await expect(stat(join(dir, 'token.json'))).rejects.toThrow();
  });

  it('a callback without a code is refused (exit 1, nothing written)', async () => {
    const dir = await home();
    const cli = spawnLlmc(['auth', 'login', '--provider', 'dev'], {
      home: dir,
      env: { LLMC_DEV_ISSUER: idp.issuer, BROWSER: 'true' },
    });
    children.push(cli);
    const url = await waitFor(() => authUrlIn(cli.stderr()));
    const callback = url.searchParams.get('redirect_uri') as string;
    const page = await fetch(`${callback}?state=${url.searchParams.get('state')}`);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('no authorization code');
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain('llmc: the login callback has no authorization code');
    await expect(stat(join(dir, 'token.json'))).rejects.toThrow();
  });

  it('gives up after the login timeout with a clear message (exit 3)', async () => {
    const dir = await home();
    const result = await loginDev(idp, { home: dir, env: { BROWSER: 'true', LLMC_LOGIN_TIMEOUT: '1' } });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('llmc: no login arrived within 1 s');
    expect(result.stderr).toContain('hint: run llmc auth login again');
  });

  it('a second login for the same profile opens no second tab: it waits for the first', async () => {
    const dir = await home();
    const log = join(dir, '..', 'browser.log');
    const env = {
      LLMC_DEV_ISSUER: idp.issuer,
      BROWSER: `${process.execPath} ${join(import.meta.dirname, '../../helpers/form-browser.mjs')}`,
      FORM_BROWSER_ACTION: 'record',
      FORM_BROWSER_LOG: log,
    };
    const first = spawnLlmc(['auth', 'login', '--provider', 'dev'], { home: dir, env });
    children.push(first);
    const url = await waitFor(async () => authUrlIn(await readFile(log, 'utf8').catch(() => '')));
    const second = spawnLlmc(['auth', 'login', '--provider', 'dev'], { home: dir, env });
    children.push(second);
    await waitFor(() => second.stderr().includes('already waiting in another llmc'));
    expect(second.stderr()).toContain(`pid ${first.pid}`);
    await drive(url.href, { login: 'carol' });
    expect(await first.exited, first.stderr()).toBe(0);
    expect(await second.exited, second.stderr()).toBe(0);
    expect(second.stdout()).toContain('as carol@example.com');
    const opened = (await readFile(log, 'utf8')).trim().split('\n');
    expect(opened).toHaveLength(1);
  });

  it('with no display and no BROWSER it picks the device flow (the IdP supports it)', async () => {
    const dir = await home();
    const cli = spawnLlmc(['auth', 'login', '--provider', 'dev'], {
      home: dir,
      env: { LLMC_DEV_ISSUER: idp.issuer, BROWSER: '', DISPLAY: '', WAYLAND_DISPLAY: '' },
    });
    children.push(cli);
    await waitFor(() => cli.stderr().includes('one-time code'));
    expect(cli.stderr()).toContain('No display found; using a device code');
    const url = /Then open (\S+) on any device/.exec(cli.stderr())?.[1] as string;
    expect(url).toContain(`${idp.issuer}/device`);
    // The user step, with the scripted browser this time (the e2e suite does it in chromium).
    await drive(url, { login: 'frank' });
    expect(await cli.exited, cli.stderr()).toBe(0);
    expect(cli.stdout()).toContain('as frank@example.com');
  });

  it('logout --revoke revokes the grant at the IdP and forgets the profile', async () => {
    const dir = await home();
    expect((await loginDev(idp, { home: dir })).exitCode).toBe(0);
    const before = (await readTokenJson(dir)).profiles.dev as Record<string, any>;
    const revocations = idp.counters.revocations;
    const result = await runLlmc(['auth', 'logout', '--revoke'], { home: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('Revoked the refresh token of dev');
    expect(idp.counters.revocations).toBe(revocations + 1);
    expect(await idp.isActive(before.refresh_token.value, 'RefreshToken')).toBe(false);
    expect((await readTokenJson(dir)).profiles).toEqual({});
    const token = await runLlmc(['auth', 'token'], { home: dir });
    expect(token.exitCode).toBe(3);
    expect(token.stderr).toContain('hint: run llmc auth login');
  });

  it('logout --all forgets every profile', async () => {
    const dir = await home();
    expect((await loginDev(idp, { home: dir })).exitCode).toBe(0);
    expect((await loginDev(idp, { home: dir, args: [], env: { LLMC_PROFILE: 'work' }, login: 'dave' })).exitCode).toBe(
      0,
    );
    expect(Object.keys((await readTokenJson(dir)).profiles).sort()).toEqual(['dev', 'work']);
    const result = await runLlmc(['auth', 'logout', '--all'], { home: dir });
    expect(result.exitCode).toBe(0);
    expect((await readTokenJson(dir)).profiles).toEqual({});
  });
});
