import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

/**
 * A real OIDC issuer on 127.0.0.1:0 for gateway tests: discovery, a JWKS
 * with ETag revalidation, keys generated with jose, and switches to rotate
 * keys or take the JWKS down. Tokens are signed with real keys; hostile
 * tests build their own variations from `sign()` and `keys`.
 */

export type SigningAlg = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'ES256' | 'ES384' | 'EdDSA';

export interface IssuerKey {
  kid: string;
  alg: SigningAlg;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export type DownMode = false | 'reset' | '500' | '404';

export interface TestIssuerOptions {
  alg?: SigningAlg;
  /** Default `aud` of `idToken()`. */
  audience?: string;
  /** Epoch ms used for `iat`/`exp` of `idToken()` (default Date.now). */
  now?: () => number;
  /** Cache-Control on discovery and JWKS (default none: revalidate). */
  cacheControl?: string;
  /** Extra routes (the GitHub Actions stand-in adds its token endpoint); return true when handled. */
  route?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;
}

export interface TestIssuer {
  issuer: string;
  discoveryUrl: string;
  jwksUrl: string;
  keys: IssuerKey[];
  /** The key `sign()` uses by default (the newest). */
  readonly current: IssuerKey;
  /** Requests seen, by kind; `notModified` counts 304 answers. */
  requests: { discovery: number; jwks: number; notModified: number };
  /** Signs `claims` as they are (no defaults); `kid: null` leaves the header without one. */
  sign(
    claims: JWTPayload,
    options?: { key?: IssuerKey; kid?: string | null; header?: Record<string, unknown> },
  ): Promise<string>;
  /** A valid id_token for this issuer; `overrides` replace or (as undefined) remove claims. */
  idToken(overrides?: Record<string, unknown>, options?: { key?: IssuerKey }): Promise<string>;
  /** Signs any header as given, bypassing jose's checks (RS256 keys only): for headers jose refuses to produce. */
  signRaw(header: Record<string, unknown>, payload: Record<string, unknown>, key?: IssuerKey): Promise<string>;
  addKey(alg?: SigningAlg): Promise<IssuerKey>;
  /** Replaces every key with a new one (new kid). */
  rotate(alg?: SigningAlg): Promise<IssuerKey>;
  setDown(mode: DownMode): void;
  close(): Promise<void>;
}

export async function newKey(alg: SigningAlg = 'RS256'): Promise<IssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicKey, publicJwk };
}

export async function startTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const alg = options.alg ?? 'RS256';
  const now = options.now ?? Date.now;
  const keys: IssuerKey[] = [await newKey(alg)];
  const requests = { discovery: 0, jwks: 0, notModified: 0 };
  let down: DownMode = false;
  let issuer = '';

  const send = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
    const headers: Record<string, string> = { 'content-type': 'application/json', etag };
    if (options.cacheControl) headers['cache-control'] = options.cacheControl;
    if (req.headers['if-none-match'] === etag) {
      requests.notModified++;
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, headers).end(body);
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (options.route && (await options.route(req, res, url))) return;
    const isDiscovery = url.pathname === '/.well-known/openid-configuration';
    const isJwks = url.pathname === '/.well-known/jwks';
    if (isDiscovery) requests.discovery++;
    if (isJwks) requests.jwks++;
    if ((isDiscovery || isJwks) && down) {
      if (down === 'reset') return void req.socket.destroy();
      return void res.writeHead(Number(down), { 'content-type': 'text/plain' }).end('down');
    }
    if (isDiscovery) {
      return send(
        req,
        res,
        JSON.stringify({
          issuer,
          jwks_uri: `${issuer}/.well-known/jwks`,
          id_token_signing_alg_values_supported: [...new Set(keys.map((key) => key.alg))],
          response_types_supported: ['id_token'],
          subject_types_supported: ['public', 'pairwise'],
        }),
      );
    }
    if (isJwks) return send(req, res, JSON.stringify({ keys: keys.map((key) => key.publicJwk) }));
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const sign: TestIssuer['sign'] = async (claims, signOptions = {}) => {
    const key = signOptions.key ?? (keys.at(-1) as IssuerKey);
    const header: Record<string, unknown> = { alg: key.alg, typ: 'JWT', ...signOptions.header };
    if (signOptions.kid !== null) header.kid = signOptions.kid ?? key.kid;
    return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
  };

  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    jwksUrl: `${issuer}/.well-known/jwks`,
    keys,
    get current() {
      return keys.at(-1) as IssuerKey;
    },
    requests,
    sign,
    async idToken(overrides = {}, signOptions = {}) {
      const iat = Math.floor(now() / 1000);
      const claims: Record<string, unknown> = {
        iss: issuer,
        aud: options.audience ?? 'gateway-test',
        sub: 'user-1',
        email: 'ana@company.com',
        email_verified: true,
        name: 'Ana',
        iat,
        exp: iat + 600,
        ...overrides,
      };
      for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
      return sign(claims as JWTPayload, signOptions);
    },
    async signRaw(header, payload, key = keys.at(-1) as IssuerKey) {
      const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const input = `${b64(header)}.${b64(payload)}`;
      const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key.privateKey, new TextEncoder().encode(input));
      return `${input}.${Buffer.from(signature).toString('base64url')}`;
    },
    async addKey(keyAlg = alg) {
      const key = await newKey(keyAlg);
      keys.push(key);
      return key;
    },
    async rotate(keyAlg = alg) {
      const key = await newKey(keyAlg);
      keys.splice(0, keys.length, key);
      return key;
    },
    setDown(mode) {
      down = mode;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
