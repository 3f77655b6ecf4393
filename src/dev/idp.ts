import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

/**
 * The embedded development IdP: oidc-provider (a certified OpenID Provider)
 * on 127.0.0.1, with a login form (devInteractions: any login, any
 * password), the device flow, refresh-token rotation (reusing an old refresh
 * token revokes the whole grant), revocation, introspection and UserInfo.
 * Used by the tests, `llmc dev idp` and `llmc auth login --provider dev`.
 */

export const DEV_CLIENT_ID = 'llmc-cli';

export interface DevUser {
  sub?: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  picture?: string;
  groups?: string[];
}

export interface DevClient {
  client_id: string;
  client_secret?: string;
  redirect_uris?: string[];
  [metadata: string]: unknown;
}

export interface DevIdpOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Token lifetimes in seconds; short ones make expiry and refresh observable. */
  ttl?: { AccessToken?: number; IdToken?: number; RefreshToken?: number; DeviceCode?: number };
  /** Users by login name; any other login gets a generated user. */
  users?: Record<string, DevUser>;
  /** Extra clients besides the public native `llmc-cli`. */
  clients?: DevClient[];
  /** Signing keys as private JWKs (default: a fresh RS256 key per start). */
  keys?: Array<Record<string, unknown>>;
}

export interface DevIdpCounters {
  /** Token endpoint requests by grant_type (counted whether they succeed or fail). */
  grants: Record<string, number>;
  revocations: number;
  userinfo: number;
}

export interface DevIdp {
  issuer: string;
  port: number;
  provider: Provider;
  counters: DevIdpCounters;
  /** Whether a token (of that kind) is still valid at the IdP. */
  isActive(token: string, kind: 'AccessToken' | 'RefreshToken'): Promise<boolean>;
  close(): Promise<void>;
}

export function devSigningKey(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
  return { ...jwk, kid: `dev-${randomBytes(6).toString('hex')}`, alg: 'RS256', use: 'sig' };
}

function userFor(login: string, users: Record<string, DevUser>): Required<Pick<DevUser, 'sub'>> & DevUser {
  const known = users[login];
  const sub = known?.sub ?? login;
  return {
    sub,
    email: known?.email ?? (login.includes('@') ? login : `${login}@example.com`),
    email_verified: known?.email_verified ?? true,
    name: known?.name ?? login,
    groups: known?.groups ?? ['developers'],
    ...(known?.picture ? { picture: known.picture } : {}),
  };
}

/** A client may revoke or introspect only its own tokens. */
async function sameClient(_ctx: unknown, client: { clientId: string }, token: { clientId?: string }): Promise<boolean> {
  return token.clientId === client.clientId;
}

export async function startDevIdp(options: DevIdpOptions = {}): Promise<DevIdp> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const users = options.users ?? {};
  const bySub = new Map<string, DevUser>();
  const counters: DevIdpCounters = { grants: {}, revocations: 0, userinfo: 0 };
  const ttl = { AccessToken: 3600, IdToken: 3600, RefreshToken: 14 * 86_400, DeviceCode: 600, ...options.ttl };

  const configuration: Configuration = {
    clients: [
      {
        client_id: DEV_CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
      },
      ...((options.clients ?? []) as Configuration['clients'] & object),
    ],
    jwks: { keys: (options.keys ?? [devSigningKey()]) as never },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'picture'],
      groups: ['groups'],
    },
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      revocation: { enabled: true, allowedPolicy: sameClient },
      introspection: { enabled: true, allowedPolicy: sameClient },
      userinfo: { enabled: true },
    },
    rotateRefreshToken: true,
    ttl: {
      AccessToken: ttl.AccessToken,
      IdToken: ttl.IdToken,
      RefreshToken: ttl.RefreshToken,
      DeviceCode: ttl.DeviceCode,
      Grant: ttl.RefreshToken,
      Session: 86_400,
      Interaction: 3600,
      AuthorizationCode: 60,
    },
    async findAccount(_ctx: KoaContextWithOIDC, id: string) {
      const user = bySub.get(id) ?? userFor(id, users);
      return {
        accountId: id,
        async claims() {
          return { ...user, sub: id };
        },
      };
    },
  };
  for (const [login, user] of Object.entries(users)) bySub.set(user.sub ?? login, userFor(login, users));

  const provider = new Provider(issuer, configuration);
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.method !== 'POST') return;
    if (ctx.path === '/token') {
      const grant = String(ctx.oidc?.params?.grant_type ?? 'unknown');
      counters.grants[grant] = (counters.grants[grant] ?? 0) + 1;
    } else if (ctx.path === '/token/revocation') {
      counters.revocations += 1;
    }
  });
  provider.use(async (ctx, next) => {
    if (ctx.path === '/me') counters.userinfo += 1;
    await next();
  });
  server.on('request', provider.callback());

  return {
    issuer,
    port,
    provider,
    counters,
    async isActive(token, kind) {
      const found = await provider[kind].find(token);
      return Boolean(found && !found.isExpired && !(found as { consumed?: unknown }).consumed);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
