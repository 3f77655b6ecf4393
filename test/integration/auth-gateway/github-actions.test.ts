import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTokenJson } from '../../helpers/auth.js';
import { runLlmc, tempHome } from '../../helpers/cli.js';
import { gatewayYaml } from '../../helpers/gateway-harness.js';
import { type GithubActionsStandin, startGithubActionsStandin } from '../../helpers/github-actions-standin.js';
import { GATEWAY_KEYS, introspect, RFC3339_SECONDS, type ServedGateway, serveGateway } from './serve-child.js';

/**
 * `llmc auth login --provider github-actions --gateway URL` end to end: the
 * real CLI as a child process with the job environment of a GitHub Actions
 * stand-in, against a real `llmc gateway serve` child whose policy admits
 * one repository owner.
 */

const ADMIN = 'gh-actions-test-admin-token-0123456789';

describe('llmc auth login --provider github-actions (stand-in runner, real gateway serve)', () => {
  let actions: GithubActionsStandin;
  let gateway: ServedGateway;
  let dir: string;
  let cleanup: () => Promise<void>;
  const homes: string[] = [];
  let n = 0;
  const newHome = () => {
    const home = join(dir, `home-${n++}`);
    homes.push(home);
    return home;
  };
  const llmc = (args: string[], home: string) => runLlmc(args, { home, env: actions.env() });

  beforeAll(async () => {
    actions = await startGithubActionsStandin({ owner: 'acme', repo: 'api' });
    ({ dir, cleanup } = await tempHome('llmc-gh-gw-'));
    await writeFile(
      join(dir, 'gateway.yaml'),
      gatewayYaml({
        issuers: [{ issuer: actions.issuer, audiences: ['mcp-gateway'] }],
        policies: [
          {
            match: { issuer: actions.issuer, claims: { repository_owner: 'acme', ref: 'refs/heads/main' } },
            scopes: { backends: ['tavily', 'brave'], tools: ['tavily-search', 'brave_*'] },
          },
        ],
      }),
    );
    gateway = await serveGateway('gateway.yaml', dir, { LLMC_TEST_ADMIN: ADMIN });
  });

  afterAll(async () => {
    await gateway?.stop();
    await actions?.close();
    await cleanup?.();
  });

  it('logs in, stores the gateway block, and `auth token --gateway` prints an mcpgw_ token the gateway reports active', async () => {
    const home = newHome();
    const login = await llmc(['auth', 'login', '--provider', 'github-actions', '--gateway', gateway.url], home);
    expect(login.exitCode, login.stderr).toBe(0);
    expect(login.stdout).toContain('Logged in to 127.0.0.1');
    expect(login.stdout).toContain('repo:acme/api:ref:refs/heads/main');
    expect(actions.requests.at(-1)).toEqual({ audience: 'mcp-gateway', authorized: true });

    const data = await readTokenJson(home);
    expect(data.default_profile).toBe('github-actions');
    const profile = data.profiles['github-actions'] as Record<string, any>;
    expect(profile).toMatchObject({
      provider: 'github-actions',
      issuer: actions.issuer,
      subject: 'repo:acme/api:ref:refs/heads/main',
      client_id: 'mcp-gateway',
      ci: { kind: 'github-actions', audience: 'mcp-gateway' },
    });
    expect(profile.refresh_token).toBeUndefined();
    expect(profile.id_token).toBeUndefined();
    expect(Object.keys(profile.gateway).sort()).toEqual(GATEWAY_KEYS);
    expect(profile.gateway).toMatchObject({
      url: gateway.url,
      token_type: 'Bearer',
      scope: 'backends:tavily,brave tools:tavily-search,brave_*',
    });
    expect(profile.gateway.access_token).toMatch(/^mcpgw_[A-Za-z0-9_-]{43}$/);
    expect(profile.gateway.expires_at).toMatch(RFC3339_SECONDS);
    expect((await stat(join(home, 'token.json'))).mode & 0o777).toBe(0o600);
    // No token on the terminal or in the gateway's own output.
    for (const text of [login.stdout, login.stderr, gateway.stderr()]) {
      expect(text).not.toContain('mcpgw_');
      expect(text).not.toContain(actions.requestToken);
    }

    const token = await llmc(['auth', 'token', '--gateway'], home);
    expect(token.exitCode, token.stderr).toBe(0);
    expect(token.stdout).toMatch(/^mcpgw_[A-Za-z0-9_-]{43}$/);
    expect(await introspect(gateway.url, ADMIN, token.stdout)).toMatchObject({
      active: true,
      iss: actions.issuer,
      sub: 'repo:acme/api:ref:refs/heads/main',
    });
  });

  it('re-requests a fresh id_token from the runner and re-exchanges when the gateway token is due', async () => {
    const home = newHome();
    expect(
      (await llmc(['auth', 'login', '--provider', 'github-actions', '--gateway', gateway.url], home)).exitCode,
    ).toBe(0);
    const first = (await readTokenJson(home)).profiles['github-actions']?.gateway;
    const asked = actions.requests.length;
    // --min-valid beyond the token's lifetime: it is due now.
    const renewed = await llmc(['auth', 'token', '--gateway', '--min-valid', '999999'], home);
    expect(renewed.exitCode, renewed.stderr).toBe(0);
    expect(renewed.stdout).not.toBe(first.access_token);
    expect(actions.requests.length - asked).toBe(1);
    const second = (await readTokenJson(home)).profiles['github-actions']?.gateway;
    expect(second.access_token).toBe(renewed.stdout);
    expect(second.jti).not.toBe(first.jti);
    expect(await introspect(gateway.url, ADMIN, renewed.stdout)).toMatchObject({ active: true });
    // A token that is not due is printed from the cache without asking the runner.
    const again = await llmc(['auth', 'token', '--gateway'], home);
    expect(again.stdout).toBe(renewed.stdout);
    expect(actions.requests.length - asked).toBe(1);

    const status = await llmc(['auth', 'status'], home);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toContain(`gateway:        ${gateway.url}`);
    expect(status.stdout).toContain('gateway scope:  backends:tavily,brave');
    expect(status.stdout).toContain('GitHub Actions OIDC token, audience mcp-gateway');
    expect(status.stdout).not.toContain('mcpgw_');

    const logout = await llmc(['auth', 'logout'], home);
    expect(logout.exitCode, logout.stderr).toBe(0);
    expect(logout.stderr).toContain('Revoked the gateway token of github-actions');
    expect(await introspect(gateway.url, ADMIN, renewed.stdout)).toEqual({ active: false });
  });

  it('a job of another owner is refused: exit 4, a clear message, token.json unchanged', async () => {
    const home = newHome();
    expect(
      (await llmc(['auth', 'login', '--provider', 'github-actions', '--gateway', gateway.url], home)).exitCode,
    ).toBe(0);
    const before = await readFile(join(home, 'token.json'), 'utf8');
    actions.configure({ owner: 'evil-org', repo: 'api' });
    try {
      const refused = await llmc(['auth', 'login', '--provider', 'github-actions', '--gateway', gateway.url], home);
      expect(refused.exitCode).toBe(4);
      expect(refused.stderr).toContain(
        `llmc: the gateway at ${gateway.url} has no policy that admits you (access_denied)`,
      );
      expect(refused.stderr).toContain('hint: ask the gateway admin');
      expect(refused.stdout).toBe('');
      expect(await readFile(join(home, 'token.json'), 'utf8')).toBe(before);
      // A fresh job of that owner ends up with no token.json at all.
      const other = newHome();
      expect(
        (await llmc(['auth', 'login', '--provider', 'github-actions', '--gateway', gateway.url], other)).exitCode,
      ).toBe(4);
      await expect(stat(join(other, 'token.json'))).rejects.toThrow();
    } finally {
      actions.configure({ owner: 'acme', repo: 'api' });
    }
  });

  it('a job without `id-token: write` gets the hint that says so', async () => {
    const home = newHome();
    const result = await runLlmc(['auth', 'login', '--provider', 'github-actions', '--gateway', gateway.url], {
      home,
      env: { ...actions.env(), ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('llmc: this job cannot request an OIDC token');
    expect(result.stderr).toContain(
      'hint: let the job request OIDC tokens (under `permissions:`, set `id-token` to `write`)',
    );
    await expect(stat(join(home, 'token.json'))).rejects.toThrow();
  });
});
