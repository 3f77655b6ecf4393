/**
 * The slice of oidc-provider's API the dev IdP uses (the package ships no
 * types, and @types/oidc-provider trails its major versions).
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface OidcToken {
    clientId?: string;
    isExpired: boolean;
    consumed?: unknown;
  }

  export interface KoaContextWithOIDC {
    method: string;
    path: string;
    oidc?: { params?: Record<string, unknown> };
  }

  export type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>;

  export interface Account {
    accountId: string;
    claims(): Promise<Record<string, unknown>>;
  }

  export interface Configuration {
    clients?: Array<Record<string, unknown>>;
    jwks?: { keys: Array<Record<string, unknown>> };
    cookies?: { keys: string[] };
    scopes?: string[];
    claims?: Record<string, string[]>;
    features?: Record<string, Record<string, unknown>>;
    rotateRefreshToken?: boolean;
    ttl?: Record<string, number>;
    findAccount?: (ctx: KoaContextWithOIDC, id: string) => Promise<Account | undefined>;
    [key: string]: unknown;
  }

  interface TokenModel {
    find(token: string): Promise<OidcToken | undefined>;
  }

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    AccessToken: TokenModel;
    RefreshToken: TokenModel;
    use(middleware: Middleware): void;
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
