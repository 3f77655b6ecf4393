import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevIdp, formBrowserCommand, loginDev, readTokenJson, startIdp } from '../helpers/auth.js';
import { binPath, runLlmc, tempHome } from '../helpers/cli.js';
import { haveTool } from '../helpers/require-tool.js';

/**
 * The refresh token in a real Secret Service: gnome-keyring on a private
 * D-Bus session (dbus-run-session), unlocked with a password on stdin as
 * TESTING.md describes. Every CLI call of a case runs inside one session.
 */

const ready = haveTool('dbus-run-session') && haveTool('gnome-keyring-daemon') && haveTool('secret-tool');

interface SessionResult {
  code: number;
  output: string;
}

/** Run `script` (sh) in a fresh D-Bus session; `$LLMC` is the CLI. Stopped by its pid if it overstays. */
function inSession(script: string, env: Record<string, string>, timeoutMs = 60_000): Promise<SessionResult> {
  return new Promise((resolve) => {
    const child = spawn('dbus-run-session', ['--', 'sh', '-c', script], {
      env: { ...process.env, LLMC: `${process.execPath} ${binPath}`, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

const unlock = 'eval "$(printf %s pw | gnome-keyring-daemon --unlock --components=secrets)"';

describe.skipIf(!ready)('e2e: refresh tokens in gnome-keyring over D-Bus', () => {
  let idp: DevIdp;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    idp = await startIdp();
  });
  afterAll(async () => {
    await idp.close();
    for (const cleanup of cleanups) await cleanup();
  });

  async function setup() {
    const made = await tempHome('llmc-keyring-');
    cleanups.push(made.cleanup);
    return {
      ...made,
      env: {
        LLMC_HOME: made.home,
        HOME: made.dir,
        XDG_DATA_HOME: join(made.dir, 'data'),
        LLMC_DEV_ISSUER: idp.issuer,
        BROWSER: formBrowserCommand,
        FORM_BROWSER_LOGIN: 'kim',
        LLMC_KEYRING: '1',
      },
    };
  }

  it('keeps the refresh token in the keychain, not in token.json; refresh rotates it there; logout removes it', async () => {
    const { dir, home, env } = await setup();
    const lookup = 'secret-tool lookup service llmc username dev';
    const session = await inSession(
      `set -e; ${unlock}
       $LLMC auth login --provider dev
       cp "$LLMC_HOME/token.json" "${dir}/after-login.json"
       ${lookup} > "${dir}/rt1"
       $LLMC auth status > "${dir}/status.txt"
       $LLMC auth token --min-valid 999999 > "${dir}/token.txt"
       ${lookup} > "${dir}/rt2"
       $LLMC auth logout
       ${lookup} > "${dir}/rt3" || echo gone > "${dir}/rt3"`,
      env,
    );
    expect(session.code, session.output).toBe(0);
    expect(session.output).not.toContain('keychain is not available');
    const afterLogin = await readFile(join(dir, 'after-login.json'), 'utf8');
    const rt1 = await readFile(join(dir, 'rt1'), 'utf8');
    expect(rt1.length).toBeGreaterThan(20);
    expect(JSON.parse(afterLogin).profiles.dev.refresh_token).toEqual({ store: 'keyring', ref: 'llmc:dev' });
    expect(afterLogin).not.toContain(rt1);
    expect(await readFile(join(dir, 'status.txt'), 'utf8')).toContain('refresh token:  OS keychain (llmc:dev)');
    // The refresh read the token from the keychain and stored the rotated one back there.
    const rt2 = await readFile(join(dir, 'rt2'), 'utf8');
    expect(rt2).not.toBe(rt1);
    expect(await idp.isActive(rt2, 'RefreshToken')).toBe(true);
    expect(await idp.isActive(rt1, 'RefreshToken')).toBe(false);
    expect(await idp.isActive((await readFile(join(dir, 'token.txt'), 'utf8')).trim(), 'AccessToken')).toBe(true);
    expect((await readFile(join(dir, 'rt3'), 'utf8')).trim()).toBe('gone');
    expect((await readTokenJson(home)).profiles).toEqual({});
  });

  it('with no Secret Service reachable it falls back to the 0600 file and says so, once', async () => {
    const { home, env } = await setup();
    const login = await loginDev(idp, {
      home,
      login: 'kim',
      env: { ...env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
    });
    expect(login.exitCode, login.stderr).toBe(0);
    expect(login.stderr).toMatch(
      /warning: the OS keychain is not available \(.+\); the refresh token is stored in .*token\.json \(mode 0600\) instead/,
    );
    const profile = (await readTokenJson(home)).profiles.dev as Record<string, any>;
    expect(profile.refresh_token.store).toBe('file');
    const refresh = await runLlmc(['auth', 'token', '--min-valid', '999999'], {
      home,
      env: { ...env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
    });
    expect(refresh.exitCode, refresh.stderr).toBe(0);
    expect(refresh.stderr).not.toContain('keychain');
  });

  it('with the keyring locked it falls back to the file and says so', async () => {
    const { dir, home, env } = await setup();
    // First session creates the login keyring (password "pw"); the second starts it locked.
    const create = await inSession(
      `set -e; ${unlock}; printf x | secret-tool store --label=seed service seed username seed`,
      env,
    );
    expect(create.code, create.output).toBe(0);
    const locked = await inSession(
      `set -e; eval "$(gnome-keyring-daemon --start --components=secrets)"
       $LLMC auth login --provider dev 2> "${dir}/login.err"`,
      env,
    );
    expect(locked.code, locked.output).toBe(0);
    const stderr = await readFile(join(dir, 'login.err'), 'utf8');
    expect(stderr).toContain('warning: the OS keychain is not available');
    expect(stderr).toContain('mode 0600) instead');
    expect(((await readTokenJson(home)).profiles.dev as Record<string, any>).refresh_token.store).toBe('file');
  });
});
