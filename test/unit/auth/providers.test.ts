import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertSecureUrl, providerForProfile, resolveProvider } from '../../../src/auth/providers.js';
import { tempHome } from '../../helpers/cli.js';
import { errorOf } from '../../helpers/errors.js';

const context = { home: '/nonexistent', env: {} as NodeJS.ProcessEnv };
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('providers', () => {
  it('google: fixed issuer, your client id, offline access by parameter', () => {
    const google = resolveProvider(
      { provider: 'google', clientId: 'id.apps.googleusercontent.com', clientSecretEnv: 'GSECRET' },
      context,
    );
    expect(google).toMatchObject({
      issuer: 'https://accounts.google.com',
      client_id: 'id.apps.googleusercontent.com',
      client_secret_ref: 'env:GSECRET',
      scopes: ['openid', 'email', 'profile'],
      authorization_params: { access_type: 'offline', prompt: 'consent' },
    });
    const missing = errorOf(() => resolveProvider({ provider: 'google' }, context));
    expect(missing.exitCode).toBe(2);
    expect(missing.hint).toContain('Desktop app');
    expect(
      resolveProvider({ provider: 'google' }, { ...context, env: { LLMC_GOOGLE_CLIENT_ID: 'from-env' } }).client_id,
    ).toBe('from-env');
  });

  it('microsoft: --tenant picks the issuer; a tenant domain may be answered with its id issuer', () => {
    const ms = resolveProvider({ provider: 'microsoft', clientId: 'c', tenant: 'contoso.onmicrosoft.com' }, context);
    expect(ms.issuer).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0');
    expect(ms.issuer_from_document).toBe(true);
    const byId = resolveProvider(
      { provider: 'microsoft', clientId: 'c', tenant: '9122040d-6c67-4c5b-b112-36a304b66dad' },
      context,
    );
    expect(byId.issuer_from_document).toBe(false);
    expect(byId.scopes).toContain('offline_access');
  });

  it('okta and keycloak need your issuer', () => {
    expect(errorOf(() => resolveProvider({ provider: 'okta', clientId: 'c' }, context)).message).toContain(
      'needs --issuer',
    );
    const kc = resolveProvider(
      { provider: 'keycloak', issuer: 'https://sso.example.org/realms/eng/', clientId: 'llmc' },
      context,
    );
    expect(kc.issuer).toBe('https://sso.example.org/realms/eng');
  });

  it('dev: LLMC_DEV_ISSUER, else the record of a running `llmc dev idp`', async () => {
    expect(
      resolveProvider({ provider: 'dev' }, { ...context, env: { LLMC_DEV_ISSUER: 'http://127.0.0.1:9' } }),
    ).toMatchObject({
      issuer: 'http://127.0.0.1:9',
      client_id: 'llmc-cli',
    });
    const made = await tempHome();
    cleanups.push(made.cleanup);
    await mkdir(made.home, { recursive: true });
    await writeFile(
      join(made.home, 'dev-idp.json'),
      JSON.stringify({ issuer: 'http://127.0.0.1:7', pid: process.pid }),
    );
    expect(resolveProvider({ provider: 'dev' }, { home: made.home, env: {} }).issuer).toBe('http://127.0.0.1:7');
    await writeFile(
      join(made.home, 'dev-idp.json'),
      JSON.stringify({ issuer: 'http://127.0.0.1:7', pid: 2 ** 22 + 1 }),
    );
    expect(errorOf(() => resolveProvider({ provider: 'dev' }, { home: made.home, env: {} })).message).toBe(
      'no dev IdP is running',
    );
  });

  it('a named config.json entry, with explicit endpoints and discovery off', () => {
    const oidcProviders = {
      corp: {
        issuer: 'https://login.corp.example',
        client_id: 'corp-cli',
        enable_discovery: false,
        authorization_endpoint: 'https://login.corp.example/authorize',
        token_endpoint: 'https://login.corp.example/token',
        jwks_uri: 'https://login.corp.example/keys',
      },
    };
    const corp = resolveProvider({ provider: 'corp' }, { ...context, oidcProviders });
    expect(corp).toMatchObject({ name: 'corp', enable_discovery: false, client_id: 'corp-cli' });
    expect(corp.endpoints.token_endpoint).toBe('https://login.corp.example/token');
    const again = providerForProfile(
      {
        provider: 'corp',
        issuer: corp.issuer,
        client_id: 'corp-cli',
        subject: 's',
        updated_at: '2026-01-01T00:00:00Z',
      },
      { ...context, oidcProviders },
    );
    expect(again.enable_discovery).toBe(false);
  });

  it('unknown provider names list the choices', () => {
    const error = errorOf(() => resolveProvider({ provider: 'gogle' }, context));
    expect(error.code).toBe('ERR_PROVIDER_UNKNOWN');
    expect(error.hint).toContain('google, microsoft, okta, keycloak, dev');
  });

  it('issuers must be https, or plain http on loopback only', () => {
    expect(assertSecureUrl('https://idp.example.com').host).toBe('idp.example.com');
    expect(assertSecureUrl('http://127.0.0.1:8080').port).toBe('8080');
    expect(assertSecureUrl('http://localhost:8080').hostname).toBe('localhost');
    expect(assertSecureUrl('http://[::1]:8080').hostname).toBe('[::1]');
    const refused = errorOf(() => assertSecureUrl('http://idp.example.com'));
    expect(refused.code).toBe('ERR_INSECURE_ISSUER');
    expect(refused.exitCode).toBe(2);
    expect(errorOf(() => assertSecureUrl('http://127.0.0.1.evil.com')).code).toBe('ERR_INSECURE_ISSUER');
    expect(errorOf(() => resolveProvider({ issuer: 'http://10.0.0.1', clientId: 'x' }, context)).code).toBe(
      'ERR_INSECURE_ISSUER',
    );
  });
});
