import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTokenJson } from '../../helpers/auth.js';
import { runLlmc, tempHome } from '../../helpers/cli.js';
import { type Harness, startHarness } from '../../helpers/gateway-harness.js';
import { type GithubActionsStandin, startGithubActionsStandin } from '../../helpers/github-actions-standin.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/jwt-issuer.js';
import { closedPort, GATEWAY_KEYS } from './serve-child.js';

/**
 * `llmc auth login --provider ci --id-token-env VAR | --id-token-file F` (any
 * CI that hands out OIDC tokens) against a real in-process gateway, and the
 * refusals of bad input: a missing or garbage token, an unreachable gateway,
 * a plain-http gateway off loopback.
 */

let ci: TestIssuer;
let gateway: Harness;
let actions: GithubActionsStandin;
let dir: string;
let cleanup: () => Promise<void>;
let n = 0;
const newHome = () => join(dir, `home-${n++}`);
const active = async (token: string) =>
  (await gateway.admin('POST', '/auth/introspect', [['token', token]])).json() as Promise<Record<string, unknown>>;
const loginCi = (home: string, args: string[], env: Record<string, string> = {}) =>
  runLlmc(['auth', 'login', '--provider', 'ci', ...args], { home, env });

beforeAll(async () => {
  ci = await startTestIssuer({ audience: 'mcp-gateway' });
  gateway = await startHarness({ issuers: [{ issuer: ci.issuer, audiences: ['mcp-gateway'] }] });
  actions = await startGithubActionsStandin({ owner: 'acme', repo: 'api' });
  ({ dir, cleanup } = await tempHome('llmc-gw-ci-'));
});

afterAll(async () => {
  await gateway?.close();
  await ci?.close();
  await actions?.close();
  await cleanup?.();
});

describe('llmc auth login --provider ci', () => {
  it('--id-token-env: logs in and exchanges; the token never reaches the output', async () => {
    const home = newHome();
    const jwt = await ci.idToken({ sub: 'project_path:group/app:ref_type:branch:ref:main', project_path: 'group/app' });
    const result = await loginCi(home, ['--gateway', gateway.url, '--id-token-env', 'CI_JOB_OIDC'], {
      CI_JOB_OIDC: jwt,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Logged in to 127.0.0.1');
    expect(result.stdout + result.stderr).not.toContain(jwt);
    expect(result.stdout + result.stderr).not.toContain('mcpgw_');
    const data = await readTokenJson(home);
    expect(data.default_profile).toBe('ci');
    const profile = data.profiles.ci as Record<string, any>;
    expect(profile).toMatchObject({
      provider: 'ci',
      issuer: ci.issuer,
      subject: 'project_path:group/app:ref_type:branch:ref:main',
      client_id: 'mcp-gateway',
      ci: { kind: 'env', variable: 'CI_JOB_OIDC' },
    });
    expect(JSON.stringify(data)).not.toContain(jwt);
    expect(Object.keys(profile.gateway).sort()).toEqual(GATEWAY_KEYS);
    const token = await runLlmc(['auth', 'token', '--gateway'], { home, env: { CI_JOB_OIDC: jwt } });
    expect(token.exitCode, token.stderr).toBe(0);
    expect(await active(token.stdout)).toMatchObject({ active: true, sub: profile.subject });
    // A CI profile has no IdP access token; it says what to use instead.
    const plain = await runLlmc(['auth', 'token'], { home });
    expect(plain.exitCode).toBe(2);
    expect(plain.stderr).toContain('hint: add --gateway to `llmc auth token`');
  });

  it('--json prints one document with the gateway token summary (never the token)', async () => {
    const home = newHome();
    const result = await runLlmc(
      ['--json', 'auth', 'login', '--provider', 'ci', '--gateway', gateway.url, '--id-token-env', 'T'],
      { home, env: { T: await ci.idToken() } },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      profile: 'ci',
      provider: 'ci',
      subject: 'user-1',
      ci: { kind: 'env', variable: 'T' },
      gateway: {
        url: gateway.url,
        scope: 'backends:* tools:*',
        expires_at: expect.any(String),
        jti: expect.any(String),
      },
    });
    expect(result.stdout).not.toContain('mcpgw_');
  });

  it('--id-token-file: logs in, and a renewal reads the file again', async () => {
    const home = newHome();
    const file = join(dir, 'oidc-token');
    await writeFile(file, `${await ci.idToken({ sub: 'pipeline-1' })}\n`, { mode: 0o600 });
    const result = await loginCi(home, ['--gateway', gateway.url, '--id-token-file', file]);
    expect(result.exitCode, result.stderr).toBe(0);
    const first = (await readTokenJson(home)).profiles.ci as Record<string, any>;
    expect(first.ci).toEqual({ kind: 'file', path: file });
    // The CI writes a newer token; a due renewal exchanges that one.
    await writeFile(file, await ci.idToken({ sub: 'pipeline-1' }));
    const renewed = await runLlmc(['auth', 'token', '--gateway', '--min-valid', '999999'], { home });
    expect(renewed.exitCode, renewed.stderr).toBe(0);
    expect(renewed.stdout).not.toBe(first.gateway.access_token);
    expect(await active(renewed.stdout)).toMatchObject({ active: true, sub: 'pipeline-1' });
  });

  it('takes the gateway from config defaults.gateway when --gateway is not given, and --scope narrows', async () => {
    const home = newHome();
    expect((await runLlmc(['config', 'set', 'defaults.gateway', gateway.url], { home })).exitCode).toBe(0);
    const result = await loginCi(home, ['--id-token-env', 'TOKEN', '--scope', 'tools:search backends:openai'], {
      TOKEN: await ci.idToken(),
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const profile = (await readTokenJson(home)).profiles.ci as Record<string, any>;
    expect(profile.gateway.url).toBe(gateway.url);
    // For a CI login --scope is the gateway scope (there are no IdP scopes to ask for).
    expect(profile.gateway.scope).toBe('backends:openai tools:search');
    expect(profile.gateway_request.scope).toBe('backends:openai tools:search');
  });

  it('a missing or garbage token exits non-zero with a hint and leaves token.json unchanged', async () => {
    const home = newHome();
    expect(
      (await loginCi(home, ['--gateway', gateway.url, '--id-token-env', 'T'], { T: await ci.idToken() })).exitCode,
    ).toBe(0);
    const before = await readFile(join(home, 'token.json'), 'utf8');
    const cases: Array<{ args: string[]; env?: Record<string, string>; message: string; hint: string }> = [
      {
        args: ['--id-token-env', 'NOT_SET_ANYWHERE'],
        message: 'llmc: the environment variable NOT_SET_ANYWHERE holds no id_token',
        hint: "hint: set it from your CI's OIDC token",
      },
      {
        args: ['--id-token-env', 'GARBAGE'],
        env: { GARBAGE: 'not-a-jwt' },
        message: 'llmc: $GARBAGE does not hold a JWT id_token',
        hint: 'hint: pass the raw token',
      },
      {
        args: ['--id-token-file', join(dir, 'no-such-file')],
        message: `llmc: cannot read the id_token file ${join(dir, 'no-such-file')}`,
        hint: 'hint: write the CI job',
      },
      {
        args: ['--id-token-env', 'WRONG_AUD'],
        env: { WRONG_AUD: await ci.idToken({ aud: 'someone-else' }) },
        message: 'did not accept your id_token (invalid_token)',
        hint: 'hint: run `llmc auth login --gateway URL` again',
      },
      {
        args: [],
        message: 'llmc: --provider ci needs --id-token-env VAR or --id-token-file FILE',
        hint: 'hint: name where your CI puts its OIDC token',
      },
    ];
    for (const { args, env, message, hint } of cases) {
      const result = await loginCi(home, ['--gateway', gateway.url, ...args], env);
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).not.toBe(0);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain(hint);
      expect(await readFile(join(home, 'token.json'), 'utf8')).toBe(before);
    }
    // A token passed where the variable's name belongs is refused without being echoed.
    const jwt = await ci.idToken();
    const pasted = await loginCi(home, ['--gateway', gateway.url, '--id-token-env', jwt]);
    expect(pasted.exitCode).toBe(2);
    expect(pasted.stderr).toContain('llmc: the value of --id-token-env is not an environment variable name');
    expect(pasted.stderr).not.toContain(jwt.slice(40));
    expect(await readFile(join(home, 'token.json'), 'utf8')).toBe(before);
  });
});

describe('bad gateway input', () => {
  it('an unreachable gateway exits 5 and writes nothing', async () => {
    const home = newHome();
    const port = await closedPort();
    const result = await loginCi(home, ['--gateway', `http://127.0.0.1:${port}`, '--id-token-env', 'T'], {
      T: await ci.idToken(),
    });
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toContain(`llmc: could not reach the gateway at http://127.0.0.1:${port}`);
    expect(result.stderr).toContain('hint: check the --gateway URL and that the gateway is running');
    await expect(stat(join(home, 'token.json'))).rejects.toThrow();
  });

  it('a plain-http gateway off loopback is refused (exit 2) before any request', async () => {
    const home = newHome();
    const asked = actions.requests.length;
    const result = await runLlmc(
      ['auth', 'login', '--provider', 'github-actions', '--gateway', 'http://gw.example.com:8080'],
      { home, env: actions.env() },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('llmc: refusing the plain-http gateway http://gw.example.com:8080');
    expect(result.stderr).toContain('hint: use https');
    expect(actions.requests.length).toBe(asked);
    await expect(stat(join(home, 'token.json'))).rejects.toThrow();
  });

  it('a CI login without any gateway is a usage error', async () => {
    const home = newHome();
    const result = await runLlmc(['auth', 'login', '--provider', 'github-actions'], { home, env: actions.env() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('llmc: --provider github-actions needs --gateway URL');
  });
});
