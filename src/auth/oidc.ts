import * as client from 'openid-client';
import { SecretResolver } from '../config/secrets/index.js';
import { LlmcError } from '../errors.js';
import { type DiscoveryOptions, discover, type IssuerMetadata } from './discovery.js';
import { type CallbackHit, listenForCallback } from './loopback.js';
import { mapOidcError } from './oidc-errors.js';
import type { ProviderProfile } from './providers.js';
import { type NormalizedUser, normalizeClaims } from './userinfo.js';
import { type IdTokenClaims, jwksLoader, LEEWAY_S, verifyIdToken } from './verify.js';

/**
 * The OpenID Connect client, in openid-client's functional style: `connect()`
 * a provider, then `login()` (authorization code + PKCE on a loopback
 * redirect), `deviceLogin()` (RFC 8628), `refresh()` and `revoke()`. Every
 * id_token is verified again with jose against the cached JWKS (verify.ts),
 * and every failure becomes an LlmcError with a stable code.
 */

export interface OidcClient {
  provider: ProviderProfile;
  metadata: IssuerMetadata;
  config: client.Configuration;
  discovery: DiscoveryOptions;
}

export interface TokenResult {
  access_token: string;
  access_token_expires_in?: number | undefined;
  id_token: string;
  claims: IdTokenClaims;
  refresh_token?: string | undefined;
  scope?: string | undefined;
  user: NormalizedUser;
  /** Set when UserInfo could not be fetched; the id_token claims were used alone. */
  userinfo_error?: string | undefined;
}

const HTTP_TIMEOUT_S = 10;

export async function connect(
  provider: ProviderProfile,
  options: DiscoveryOptions & { env?: NodeJS.ProcessEnv },
): Promise<OidcClient> {
  const metadata = await discover(provider, options);
  const secret = provider.client_secret_ref ? await resolveSecret(provider, options.env ?? process.env) : undefined;
  const auth = secret ? client.ClientSecretPost(secret) : client.None();
  const config = new client.Configuration(
    metadata as client.ServerMetadata,
    provider.client_id,
    { [client.clockTolerance]: LEEWAY_S } as Partial<client.ClientMetadata>,
    auth,
  );
  config.timeout = HTTP_TIMEOUT_S;
  // Plain http is only ever reached here for a loopback issuer (assertSecureUrl refused the rest).
  if (new URL(metadata.issuer).protocol === 'http:') client.allowInsecureRequests(config);
  return {
    provider,
    metadata,
    config,
    discovery: { home: options.home, ...(options.store ? { store: options.store } : {}) },
  };
}

async function resolveSecret(provider: ProviderProfile, env: NodeJS.ProcessEnv): Promise<string> {
  const ref = provider.client_secret_ref ?? '';
  if (ref.startsWith('env:')) {
    const value = env[ref.slice(4)];
    if (!value) {
      throw new LlmcError('ERR_SECRET_UNAVAILABLE', `the client secret variable ${ref.slice(4)} is not set`, {
        hint: `export ${ref.slice(4)}=… (the value from your IdP's client settings), then run the command again`,
      });
    }
    return value;
  }
  return new SecretResolver().resolve(ref, `oidc_providers.${provider.name}.client_secret`);
}

export interface LoginOptions {
  /** `--port`; default port with fallback otherwise. */
  port?: number | undefined;
  timeoutMs: number;
  /** Show the authorization URL: open the browser, print it, or both. */
  present(url: URL, redirectUri: string): Promise<void>;
  /** A redirect URL the user pasted (`--no-browser`), raced against the loopback listener. */
  pasted?: Promise<string> | undefined;
  signal?: AbortSignal | undefined;
}

/** Authorization code + PKCE (S256) with `state` and `nonce`, on http://127.0.0.1:PORT/callback. */
export async function login(oidc: OidcClient, options: LoginOptions): Promise<TokenResult> {
  const listener = await listenForCallback({ port: options.port });
  let hit: CallbackHit | undefined;
  try {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(oidc.config, {
      redirect_uri: listener.redirectUri,
      scope: oidc.provider.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...oidc.provider.authorization_params,
    });
    await options.present(url, listener.redirectUri);
    hit = await waitForCallback(listener.hit, options, listener.redirectUri);
    checkCallback(hit.url, state);
    const tokens = await client
      .authorizationCodeGrant(oidc.config, hit.url, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      })
      .catch((error: unknown) => {
        throw mapOidcError(error, oidc, 'exchanging the authorization code');
      });
    const result = await completeTokens(oidc, tokens, { nonce });
    const who = result.user.email ?? result.user.name ?? result.user.subject;
    hit.respond({
      ok: true,
      title: 'Logged in',
      message: `llmc is logged in as ${who}. You can close this tab and return to the terminal.`,
    });
    return result;
  } catch (error) {
    const known = error instanceof LlmcError ? error : mapOidcError(error, oidc, 'logging in');
    hit?.respond({
      ok: false,
      title: 'Login failed',
      message: `${known.message}. You can close this tab; ${known.hint ?? 'run llmc auth login again'}.`,
    });
    throw known;
  } finally {
    await listener.close();
  }
}

async function waitForCallback(
  fromListener: Promise<CallbackHit>,
  options: LoginOptions,
  redirectUri: string,
): Promise<CallbackHit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new LlmcError('ERR_LOGIN_TIMEOUT', `no login arrived within ${Math.round(options.timeoutMs / 1000)} s`, {
            hint: 'run llmc auth login again and finish it in the browser (or use --device on a machine without one)',
          }),
        ),
      options.timeoutMs,
    );
  });
  const racers: Array<Promise<CallbackHit>> = [fromListener, timeout];
  if (options.pasted) {
    racers.push(options.pasted.then((text) => ({ url: parsePasted(text, redirectUri), respond: () => undefined })));
  }
  if (options.signal) {
    const signal = options.signal;
    racers.push(
      new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => reject(new LlmcError('ERR_INTERRUPTED', 'interrupted')), { once: true }),
      ),
    );
  }
  try {
    return await Promise.race(racers);
  } finally {
    clearTimeout(timer);
  }
}

/** The address-bar URL the browser ended on (or just its `?code=…&state=…` part). */
export function parsePasted(text: string, redirectUri: string): URL {
  const trimmed = text.trim();
  const base = new URL(redirectUri);
  try {
    if (/^https?:\/\//i.test(trimmed)) {
      const pasted = new URL(trimmed);
      return new URL(`${base.origin}${base.pathname}${pasted.search}`);
    }
    const query = trimmed.startsWith('?') ? trimmed : `?${trimmed}`;
    if (/[?&](code|error)=/.test(query)) return new URL(`${base.origin}${base.pathname}${query}`);
  } catch {
    // reported below
  }
  throw new LlmcError('ERR_INVALID_ARGUMENT', 'that is not the redirect URL of this login', {
    hint: `paste the whole address the browser ended on; it starts with ${base.origin}${base.pathname}?`,
  });
}

/** Error redirects, `state`, `code` — checked before anything is sent to the token endpoint. */
export function checkCallback(url: URL, expectedState: string): void {
  const params = url.searchParams;
  const error = params.get('error');
  const stateOk = params.get('state') === expectedState;
  if (error) {
    const description = params.get('error_description');
    if (!stateOk) {
      throw new LlmcError('ERR_OIDC_PROTOCOL', `the login callback carried an error (${error}) for a different login`, {
        hint: 'run llmc auth login again',
      });
    }
    if (error === 'access_denied') {
      throw new LlmcError('ERR_LOGIN_DENIED', `the login was denied${description ? `: ${description}` : ''}`, {
        hint: 'approve the request in the browser, or ask your IdP admin to grant this app access',
      });
    }
    if (error === 'temporarily_unavailable' || error === 'server_error') {
      throw new LlmcError('ERR_IDP_UNREACHABLE', `the IdP could not handle the login right now (${error})`, {
        hint: 'try again in a moment',
      });
    }
    throw new LlmcError(
      'ERR_LOGIN_FAILED',
      `the IdP refused the login: ${error}${description ? ` (${description})` : ''}`,
      {
        hint: 'check the client id and scopes for this provider, then run llmc auth login again',
      },
    );
  }
  if (!stateOk) {
    throw new LlmcError(
      'ERR_OIDC_PROTOCOL',
      "the login callback's state does not match this login; nothing was saved",
      {
        hint: 'run llmc auth login again and finish it in the tab it opens (an old or forged callback was refused)',
      },
    );
  }
  if (!params.get('code')) {
    throw new LlmcError('ERR_OIDC_PROTOCOL', 'the login callback has no authorization code; nothing was saved', {
      hint: 'run llmc auth login again',
    });
  }
}

type GrantResponse = Awaited<ReturnType<typeof client.authorizationCodeGrant>>;

async function completeTokens(
  oidc: OidcClient,
  tokens: GrantResponse,
  expected: { nonce?: string; subject?: string; previous?: { id_token: string } },
): Promise<TokenResult> {
  if (!tokens.access_token)
    throw new LlmcError('ERR_OIDC_PROTOCOL', 'the IdP returned no access token', { hint: 'run llmc auth login again' });
  let idToken = tokens.id_token;
  if (!idToken) {
    if (!expected.previous) {
      throw new LlmcError('ERR_OIDC_PROTOCOL', 'the IdP returned no id_token', {
        hint: 'make sure the "openid" scope is requested',
      });
    }
    idToken = expected.previous.id_token;
  }
  const claims =
    idToken === expected.previous?.id_token
      ? ((tokens.claims() as IdTokenClaims | undefined) ?? decodeClaims(idToken))
      : await verifyIdToken(
          idToken,
          {
            issuer: oidc.metadata.issuer,
            clientId: oidc.provider.client_id,
            nonce: expected.nonce,
            subject: expected.subject,
            advertisedAlgorithms: oidc.metadata.id_token_signing_alg_values_supported,
          },
          jwksLoader(oidc.metadata.jwks_uri, oidc.discovery),
        );
  let userinfo: Record<string, unknown> = {};
  let userinfoError: string | undefined;
  if (oidc.metadata.userinfo_endpoint) {
    try {
      userinfo = (await client.fetchUserInfo(oidc.config, tokens.access_token, claims.sub)) as Record<string, unknown>;
    } catch (error) {
      userinfoError = mapOidcError(error, oidc, 'fetching UserInfo').message;
    }
  }
  return {
    access_token: tokens.access_token,
    access_token_expires_in: tokens.expiresIn(),
    id_token: idToken,
    claims,
    refresh_token: tokens.refresh_token,
    scope: tokens.scope,
    user: normalizeClaims(claims, userinfo),
    userinfo_error: userinfoError,
  };
}

function decodeClaims(idToken: string): IdTokenClaims {
  const payload = idToken.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as IdTokenClaims;
}

export interface DeviceCode {
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string | undefined;
  expires_in: number;
  interval?: number | undefined;
}

export interface DeviceLoginOptions {
  onCode(code: DeviceCode): void | Promise<void>;
  signal?: AbortSignal | undefined;
}

export function supportsDeviceFlow(oidc: OidcClient): boolean {
  return typeof oidc.metadata.device_authorization_endpoint === 'string';
}

/** RFC 8628: show a code, poll at the IdP's `interval` (slower on `slow_down`) until the user approves. */
export async function deviceLogin(oidc: OidcClient, options: DeviceLoginOptions): Promise<TokenResult> {
  if (!supportsDeviceFlow(oidc)) {
    throw new LlmcError('ERR_USAGE', `${oidc.metadata.issuer} does not support the device authorization grant`, {
      hint: 'use --no-browser instead: it prints a URL and takes the redirect URL you paste back',
    });
  }
  try {
    const start = await client.initiateDeviceAuthorization(oidc.config, {
      scope: oidc.provider.scopes.join(' '),
    });
    await options.onCode({
      user_code: start.user_code,
      verification_uri: start.verification_uri,
      verification_uri_complete: start.verification_uri_complete,
      expires_in: start.expires_in,
      interval: start.interval,
    });
    const tokens = await client.pollDeviceAuthorizationGrant(oidc.config, start, undefined, {
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return await completeTokens(oidc, tokens as GrantResponse, {});
  } catch (error) {
    throw mapOidcError(error, oidc, 'the device login');
  }
}

/**
 * One refresh_token grant; a rotated refresh token comes back in `refresh_token`.
 * `onRotated` gets it as soon as the grant answers — before the id_token is
 * verified (a JWKS download) and before the access token is used (UserInfo) —
 * because the old one is already spent at the IdP: a failure or a Ctrl-C in
 * between must not lose the only refresh token that still works.
 */
export async function refresh(
  oidc: OidcClient,
  refreshToken: string,
  expected: {
    subject: string;
    id_token?: string | undefined;
    onRotated?: ((refreshToken: string) => Promise<void>) | undefined;
  },
): Promise<TokenResult> {
  let tokens: GrantResponse;
  try {
    tokens = (await client.refreshTokenGrant(oidc.config, refreshToken)) as GrantResponse;
  } catch (error) {
    throw mapOidcError(error, oidc, 'refreshing the token');
  }
  if (tokens.refresh_token && tokens.refresh_token !== refreshToken) await expected.onRotated?.(tokens.refresh_token);
  try {
    return await completeTokens(oidc, tokens, {
      subject: expected.subject,
      ...(expected.id_token ? { previous: { id_token: expected.id_token } } : {}),
    });
  } catch (error) {
    throw mapOidcError(error, oidc, 'refreshing the token');
  }
}

/** RFC 7009. Returns false when the IdP advertises no revocation endpoint. */
export async function revoke(
  oidc: OidcClient,
  token: string,
  hint: 'refresh_token' | 'access_token',
): Promise<boolean> {
  if (!oidc.metadata.revocation_endpoint) return false;
  try {
    await client.tokenRevocation(oidc.config, token, { token_type_hint: hint });
    return true;
  } catch (error) {
    throw mapOidcError(error, oidc, 'revoking the token');
  }
}
