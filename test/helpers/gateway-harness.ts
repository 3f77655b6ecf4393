import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { stringify } from 'yaml';
import { envProvider, SecretResolver } from '../../src/config/secrets/index.js';
import { memoryAuditLog } from '../../src/gateway/audit.js';
import { type GatewayConfig, parseGatewayConfig } from '../../src/gateway/config.js';
import { type RunningGateway, startGateway } from '../../src/gateway/index.js';
import type { TokenStore } from '../../src/gateway/store/types.js';

/**
 * An in-process gateway on 127.0.0.1:0 built from a real gateway.yaml text,
 * with an in-memory audit log, an injectable clock and secrets from a given
 * environment; plus a raw HTTP client that sends exactly the bytes a test
 * writes (repeated parameters, odd content types, huge bodies).
 */

export const ADMIN_TOKEN = 'admin-secret-for-tests-0123456789';
export const STATIC_KEY = 'static-key-for-tests-abcdefghij';

export interface HarnessIssuer {
  issuer: string;
  audiences?: string[];
  allowed_domains?: string[];
  [setting: string]: unknown;
}

export interface HarnessOptions {
  issuers: HarnessIssuer[];
  policies?: unknown[];
  /** More key_server settings (token_ttl, max_tokens_per_identity, admin_token…). */
  keyServer?: Record<string, unknown>;
  /** More top-level settings (auth, trust_proxy, max_body_bytes…). */
  top?: Record<string, unknown>;
  clock?: () => number;
  env?: Record<string, string>;
  store?: TokenStore;
  /** No admin_token at all (admin endpoints must answer 503). */
  noAdmin?: boolean;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json(): any;
}

export interface Harness {
  url: string;
  gateway: RunningGateway;
  config: GatewayConfig;
  yaml: string;
  audit: ReturnType<typeof memoryAuditLog>;
  send(
    method: string,
    path: string,
    options?: { body?: string | Buffer; headers?: Record<string, string> },
  ): Promise<RawResponse>;
  /** POST form-encoded exactly as given (pairs keep their order and repeats). */
  form(path: string, pairs: Array<[string, string]>, headers?: Record<string, string>): Promise<RawResponse>;
  exchange(subjectToken: string, extra?: Array<[string, string]>): Promise<RawResponse>;
  admin(method: string, path: string, body?: Array<[string, string]>): Promise<RawResponse>;
  close(): Promise<void>;
}

export const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';

export function gatewayYaml(options: HarnessOptions): string {
  const keyServer: Record<string, unknown> = {
    enabled: true,
    ...(options.noAdmin ? {} : { admin_token: 'env:LLMC_TEST_ADMIN' }),
    oidc: options.issuers.map((entry) => ({ audiences: ['gateway-test'], ...entry })),
    policies: options.policies ?? [{ match: { domain: 'company.com' }, scopes: { backends: ['*'], tools: ['*'] } }],
    ...options.keyServer,
  };
  return stringify({
    listen: '127.0.0.1:0',
    dev: { allow_http_issuers: true },
    ...options.top,
    key_server: keyServer,
  });
}

export function raw(
  base: string,
  method: string,
  path: string,
  options: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      new URL(path, base),
      { method, headers: { connection: 'close', ...options.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

export function formBody(pairs: Array<[string, string]>): string {
  return pairs.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const yaml = gatewayYaml(options);
  const config = parseGatewayConfig('gateway.yaml', yaml);
  const audit = memoryAuditLog();
  const env = { LLMC_TEST_ADMIN: ADMIN_TOKEN, LLMC_TEST_STATIC: STATIC_KEY, ...options.env };
  const gateway = await startGateway(config, {
    audit,
    secrets: new SecretResolver({ providers: [envProvider({ env, cwd: '/nonexistent' })] }),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.store ? { store: options.store } : {}),
  });
  const send: Harness['send'] = (method, path, sendOptions) => raw(gateway.url, method, path, sendOptions);
  const form: Harness['form'] = (path, pairs, headers = {}) =>
    send('POST', path, {
      body: formBody(pairs),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
  return {
    url: gateway.url,
    gateway,
    config,
    yaml,
    audit,
    send,
    form,
    exchange: (subjectToken, extra = []) =>
      form('/auth/token', [
        ['grant_type', GRANT],
        ['subject_token', subjectToken],
        ['subject_token_type', ID_TOKEN_TYPE],
        ...extra,
      ]),
    admin: (method, path, body) =>
      send(method, path, {
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(body ? { body: formBody(body) } : {}),
      }),
    close: () => gateway.close(1000),
  };
}
