import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ciIdToken, githubActionsIdToken, readClaims } from '../../../src/auth/ci.js';
import { exchangeIdToken, gatewayBaseUrl } from '../../../src/auth/gateway-exchange.js';
import { type Harness, startHarness } from '../../helpers/gateway-harness.js';
import { type GithubActionsStandin, startGithubActionsStandin } from '../../helpers/github-actions-standin.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/jwt-issuer.js';

/**
 * The CLI's client half of the key-server wire against a real in-process
 * gateway: success and every error code mapped to our codes and exit codes.
 */
describe('exchangeIdToken against a real gateway', () => {
  let idp: TestIssuer;
  let harnesses: Harness[] = [];
  const start = async (options: Partial<Parameters<typeof startHarness>[0]> = {}) => {
    const harness = await startHarness({ issuers: [{ issuer: idp.issuer }], ...options });
    harnesses.push(harness);
    return harness;
  };

  beforeAll(async () => {
    idp = await startTestIssuer();
  });
  afterEach(async () => {
    await Promise.all(harnesses.map((harness) => harness.close()));
    harnesses = [];
  });
  afterAll(() => idp.close());

  it('returns the mcpgw_ token with an absolute expiry and the granted scope', async () => {
    const gw = await start({ keyServer: { token_ttl_secs: 600 } });
    const now = Date.parse('2026-11-25T12:00:00Z');
    const token = await exchangeIdToken({
      gateway: `${gw.url}/`,
      idToken: await idp.idToken(),
      scope: 'backends:openai',
      now: () => now,
    });
    expect(token).toMatchObject({
      url: gw.url,
      token_type: 'Bearer',
      expires_at: '2026-11-25T12:10:00.000Z',
      scope: expect.stringContaining('backends:openai'),
    });
    expect(token.access_token).toMatch(/^mcpgw_[A-Za-z0-9_-]{43}$/);
    expect(token.jti).toEqual(expect.any(String));
    const introspected = await gw.admin('POST', '/auth/introspect', [['token', token.access_token]]);
    expect(introspected.json()).toMatchObject({ active: true, sub: 'user-1' });
  });

  it('maps invalid_token to "log in again" (exit 3)', async () => {
    const gw = await start();
    const error = await exchangeIdToken({ gateway: gw.url, idToken: await idp.idToken({ aud: 'someone-else' }) }).catch(
      (e) => e,
    );
    expect(error).toMatchObject({
      code: 'ERR_LOGIN_REQUIRED',
      exitCode: 3,
      hint: expect.stringContaining('llmc auth login'),
    });
  });

  it('maps access_denied to exit 4', async () => {
    const gw = await start();
    const error = await exchangeIdToken({
      gateway: gw.url,
      idToken: await idp.idToken({ email: 'eve@elsewhere.org' }),
    }).catch((e) => e);
    expect(error).toMatchObject({ code: 'ERR_GATEWAY_DENIED', exitCode: 4 });
  });

  it('says when the token cap is reached, and when it is rate limited (with the wait)', async () => {
    const capped = await start({ keyServer: { max_tokens_per_identity: 1 } });
    await exchangeIdToken({ gateway: capped.url, idToken: await idp.idToken() });
    const cap = await exchangeIdToken({ gateway: capped.url, idToken: await idp.idToken() }).catch((e) => e);
    expect(cap).toMatchObject({ code: 'ERR_GATEWAY_REJECTED', message: expect.stringContaining('too_many_tokens') });
    const limited = await start({ keyServer: { issue_rate_limit: 1 } });
    await exchangeIdToken({ gateway: limited.url, idToken: await idp.idToken() });
    const rate = await exchangeIdToken({ gateway: limited.url, idToken: await idp.idToken() }).catch((e) => e);
    expect(rate).toMatchObject({
      code: 'ERR_GATEWAY_REJECTED',
      message: expect.stringContaining('rate_limited'),
      hint: expect.stringMatching(/^retry in \d+ s$/),
    });
  });

  it('an unreachable gateway is exit 5; a plain-http non-loopback gateway is refused before any request', async () => {
    const gw = await start();
    const url = gw.url;
    await gw.close();
    harnesses = [];
    const down = await exchangeIdToken({ gateway: url, idToken: await idp.idToken() }).catch((e) => e);
    expect(down).toMatchObject({ code: 'ERR_GATEWAY_UNREACHABLE', exitCode: 5 });
    expect(() => gatewayBaseUrl('http://gw.example.com')).toThrow(
      expect.objectContaining({ code: 'ERR_INSECURE_ISSUER' }),
    );
    expect(gatewayBaseUrl('https://gw.example.com/base/')).toBe('https://gw.example.com/base');
  });
});

describe('CI id_tokens', () => {
  let actions: GithubActionsStandin;
  beforeAll(async () => {
    actions = await startGithubActionsStandin({ owner: 'acme', repo: 'api' });
  });
  afterAll(() => actions.close());

  it('requests a GitHub Actions id_token for the audience with the request token', async () => {
    const jwt = await githubActionsIdToken('mcp-gateway', actions.env());
    const claims = readClaims(jwt);
    expect(claims).toMatchObject({
      iss: actions.issuer,
      aud: 'mcp-gateway',
      repository_owner: 'acme',
      sub: 'repo:acme/api:ref:refs/heads/main',
    });
    expect(actions.requests.at(-1)).toEqual({ audience: 'mcp-gateway', authorized: true });
  });

  it('explains a job without `id-token: write`, and a refused request token', async () => {
    await expect(githubActionsIdToken('mcp-gateway', {})).rejects.toMatchObject({
      code: 'ERR_CI_TOKEN',
      hint: expect.stringContaining('set `id-token` to `write`'),
    });
    const env = { ...actions.env(), ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong' };
    await expect(githubActionsIdToken('mcp-gateway', env)).rejects.toMatchObject({
      code: 'ERR_CI_TOKEN',
      message: expect.stringContaining('HTTP 401'),
    });
  });

  it('reads a generic CI token from a variable or a file, and refuses what is not a JWT', async () => {
    const jwt = await actions.mint('mcp-gateway');
    expect(await ciIdToken({ kind: 'env', variable: 'CI_JOB_JWT' }, { CI_JOB_JWT: `${jwt}\n` })).toBe(jwt);
    await expect(ciIdToken({ kind: 'env', variable: 'CI_JOB_JWT' }, {})).rejects.toMatchObject({
      code: 'ERR_CI_TOKEN',
    });
    await expect(ciIdToken({ kind: 'env', variable: 'X' }, { X: '{"value":"x"}' })).rejects.toMatchObject({
      message: expect.stringContaining('does not hold a JWT'),
    });
    await expect(ciIdToken({ kind: 'file', path: '/nonexistent/token' })).rejects.toMatchObject({
      code: 'ERR_CI_TOKEN',
    });
  });
});
