import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authUrlIn, type LiveCli, spawnLlmc, waitFor } from '../../helpers/auth.js';
import { runLlmc, tempHome } from '../../helpers/cli.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/jwt-issuer.js';

/**
 * Hostile IdP answers. oidc-provider cannot be made to mint a broken id_token,
 * so the IdP here is the project's real JWKS-serving test issuer (real keys,
 * real HTTP on loopback) with a token endpoint whose id_token each case
 * crafts; the CLI runs the whole real login against it.
 */

const CLIENT_ID = 'rogue-client';
const existing = `${JSON.stringify(
  {
    version: 1,
    default_profile: 'old',
    profiles: {
      old: {
        provider: 'custom',
        issuer: 'https://idp.example.com',
        client_id: 'x',
        subject: 'someone',
        access_token: 'kept-as-is',
        access_token_expires_at: '2030-01-01T00:00:00Z',
        updated_at: '2026-11-01T00:00:00Z',
      },
    },
  },
  null,
  2,
)}\n`;

let issuer: TestIssuer;
let makeIdToken: (nonce: string) => Promise<string> = async () => '';
let discoveryIssuer: string | undefined;
const children: LiveCli[] = [];
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  issuer = await startTestIssuer({
    audience: CLIENT_ID,
    route: (req, res, url) => {
      if (url.pathname === '/.well-known/openid-configuration') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            issuer: discoveryIssuer ?? issuer.issuer,
            authorization_endpoint: `${issuer.issuer}/auth`,
            token_endpoint: `${issuer.issuer}/token`,
            jwks_uri: `${issuer.issuer}/.well-known/jwks`,
            response_types_supported: ['code'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['RS256'],
            code_challenge_methods_supported: ['S256'],
          }),
        );
        return true;
      }
      if (url.pathname === '/token' && req.method === 'POST') {
        req.resume();
        req.on('end', async () => {
          const nonce = pendingNonce;
          const idToken = await makeIdToken(nonce);
          res
            .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
            .end(JSON.stringify({ access_token: 'at-1', token_type: 'Bearer', expires_in: 3600, id_token: idToken }));
        });
        return true;
      }
      return false;
    },
  });
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
  discoveryIssuer = undefined;
});
afterAll(async () => {
  await issuer.close();
  for (const cleanup of cleanups) await cleanup();
});

let pendingNonce = '';

async function homeWithToken(): Promise<string> {
  const made = await tempHome('llmc-bad-');
  cleanups.push(made.cleanup);
  await runLlmc(['auth', 'status'], { home: made.home }); // creates nothing, but proves the CLI starts
  const { mkdir } = await import('node:fs/promises');
  await mkdir(made.home, { recursive: true, mode: 0o700 });
  await writeFile(join(made.home, 'token.json'), existing, { mode: 0o600 });
  return made.home;
}

/** Run a login against the rogue issuer up to the callback; returns the exit code and stderr. */
async function loginWith(
  idToken: (nonce: string) => Promise<string>,
): Promise<{ code: number; stderr: string; page: string; home: string }> {
  const home = await homeWithToken();
  makeIdToken = idToken;
  const cli = spawnLlmc(['auth', 'login', '--issuer', issuer.issuer, '--client-id', CLIENT_ID], {
    home,
    env: { BROWSER: 'true' },
  });
  children.push(cli);
  const url = await waitFor(() => authUrlIn(cli.stderr()));
  pendingNonce = url.searchParams.get('nonce') as string;
  const callback = `${url.searchParams.get('redirect_uri')}?code=abc&state=${url.searchParams.get('state')}`;
  const page = await (await fetch(callback)).text();
  const code = await cli.exited;
  expect(await readFile(join(home, 'token.json'), 'utf8')).toBe(existing);
  return { code, stderr: cli.stderr(), page, home };
}

const now = () => Math.floor(Date.now() / 1000);
const base = (nonce: string) => ({
  iss: issuer.issuer,
  aud: CLIENT_ID,
  sub: 'user-1',
  nonce,
  iat: now(),
  exp: now() + 600,
});
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('hostile or broken IdP answers: clear message, right exit code, token.json unchanged', () => {
  it('control: a correct id_token logs in', async () => {
    const made = await tempHome('llmc-bad-');
    cleanups.push(made.cleanup);
    makeIdToken = (nonce) => issuer.sign(base(nonce));
    const cli = spawnLlmc(['auth', 'login', '--issuer', issuer.issuer, '--client-id', CLIENT_ID], {
      home: made.home,
      env: { BROWSER: 'true' },
    });
    children.push(cli);
    const url = await waitFor(() => authUrlIn(cli.stderr()));
    pendingNonce = url.searchParams.get('nonce') as string;
    const page = await (
      await fetch(`${url.searchParams.get('redirect_uri')}?code=abc&state=${url.searchParams.get('state')}`)
    ).text();
    expect(await cli.exited, cli.stderr()).toBe(0);
    expect(page).toContain('You can close this tab');
    expect(JSON.parse(await readFile(join(made.home, 'token.json'), 'utf8')).profiles.custom.subject).toBe('user-1');
  });

  it('alg: none', async () => {
    const result = await loginWith(async (nonce) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(base(nonce))}.`);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("llmc: the IdP's id_token was rejected: its signing algorithm is not allowed");
    expect(result.page).toContain('Login failed');
  });

  it('HMAC (HS256) keyed with anything, e.g. the public key', async () => {
    const result = await loginWith((nonce) =>
      new SignJWT(base(nonce))
        .setProtectedHeader({ alg: 'HS256', kid: issuer.current.kid })
        .sign(new TextEncoder().encode(JSON.stringify(issuer.current.publicJwk))),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('its signing algorithm is not allowed');
  });

  it('wrong aud', async () => {
    const result = await loginWith((nonce) => issuer.sign({ ...base(nonce), aud: 'another-app' }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('it is meant for a different client (aud)');
  });

  it('expired', async () => {
    const result = await loginWith((nonce) => issuer.sign({ ...base(nonce), iat: now() - 7200, exp: now() - 3600 }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('it has expired');
    expect(result.stderr).toContain('clock');
  });

  it('bad signature (signed by a key the IdP does not publish, under its kid)', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const result = await loginWith((nonce) =>
      new SignJWT(base(nonce)).setProtectedHeader({ alg: 'RS256', kid: issuer.current.kid }).sign(privateKey),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('its signature does not verify');
  });

  it('wrong nonce', async () => {
    const result = await loginWith(() => issuer.sign(base('not-the-nonce-we-sent')));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('its nonce does not match this login');
  });

  it('a discovery document whose issuer differs', async () => {
    const home = await homeWithToken();
    discoveryIssuer = 'http://127.0.0.1:1/evil';
    const result = await runLlmc(['auth', 'login', '--issuer', issuer.issuer, '--client-id', CLIENT_ID], {
      home,
      env: { BROWSER: 'true' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`names issuer http://127.0.0.1:1/evil, not ${issuer.issuer}`);
    expect(await readFile(join(home, 'token.json'), 'utf8')).toBe(existing);
  });

  it('a plain-http issuer that is not loopback is refused before any request (exit 2)', async () => {
    const home = await homeWithToken();
    const result = await runLlmc(['auth', 'login', '--issuer', 'http://idp.example.com', '--client-id', 'x'], { home });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('llmc: refusing the plain-http issuer http://idp.example.com');
    expect(result.stderr).toContain('hint: use https');
    expect(await readFile(join(home, 'token.json'), 'utf8')).toBe(existing);
  });

  it('a corrupt token.json is reported with its position and never overwritten', async () => {
    const made = await tempHome('llmc-bad-');
    cleanups.push(made.cleanup);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(made.home, { recursive: true, mode: 0o700 });
    const broken = '{\n  "version": 1,\n  "profiles": { "dev": \n';
    await writeFile(join(made.home, 'token.json'), broken, { mode: 0o600 });
    const token = await runLlmc(['auth', 'token'], { home: made.home });
    expect(token.exitCode).toBe(1);
    expect(token.stderr).toContain(`llmc: ${join(made.home, 'token.json')}:4:1: invalid JSON`);
    expect(token.stderr).toContain('will not overwrite it');
    const login = await runLlmc(['auth', 'login', '--issuer', issuer.issuer, '--client-id', CLIENT_ID], {
      home: made.home,
      env: { BROWSER: 'true' },
    });
    expect(login.exitCode).toBe(1);
    expect(login.stderr).toContain('invalid JSON');
    const status = await runLlmc(['auth', 'status', '--json'], { home: made.home });
    expect(status.exitCode).toBe(1);
    expect(JSON.parse(status.stderr).error.code).toBe('ERR_FILE_CORRUPT');
    expect(await readFile(join(made.home, 'token.json'), 'utf8')).toBe(broken);
  });

  it('a token.json from a newer llmc is refused, not overwritten', async () => {
    const made = await tempHome('llmc-bad-');
    cleanups.push(made.cleanup);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(made.home, { recursive: true, mode: 0o700 });
    const newer = '{"version": 2, "profiles": {}}\n';
    await writeFile(join(made.home, 'token.json'), newer, { mode: 0o600 });
    const result = await runLlmc(['auth', 'logout', '--all'], { home: made.home });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('is version 2, newer than this llmc understands (1)');
    expect(await readFile(join(made.home, 'token.json'), 'utf8')).toBe(newer);
  });
});
