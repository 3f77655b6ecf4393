import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { Logger } from '../observability/logger.js';
import type { GatewayConfig } from './config.js';
import { clientIpOf, drain, parseParams, readBody, sendEmpty, sendError, sendJson } from './http.js';
import type { KeyServer } from './keyserver.js';
import type { GatewayMetrics } from './metrics.js';

/**
 * node:http front of the key server. Routes (ARCHITECTURE §6, §9):
 *   POST /auth/token · POST /auth/revoke · POST /auth/introspect (admin)
 *   DELETE /auth/token/{jti} · DELETE /auth/tokens?subject=S · GET /auth/tokens?subject=S (admin)
 *   GET /healthz · GET /metrics
 * Bodies are parsed and checked with zod here; the key server sees plain values.
 */

export interface GatewayServerDeps {
  config: GatewayConfig;
  keyServer: KeyServer;
  metrics: GatewayMetrics;
  logger?: Logger | undefined;
  version?: string;
}

export interface GatewayServer {
  server: Server;
  listen(): Promise<{ url: string; host: string; port: number }>;
  close(graceMs?: number): Promise<void>;
}

const exchangeSchema = z.object({
  grant_type: z.string().max(512).optional(),
  subject_token: z.string().optional(),
  subject_token_type: z.string().max(512).optional(),
  scope: z.string().max(4096).optional(),
});
const tokenParamSchema = z.object({
  token: z.string().min(1).max(8192),
  token_type_hint: z.string().max(256).optional(),
});
const subjectQuerySchema = z.object({
  subject: z.string().min(1).max(1024),
  issuer: z.string().min(1).max(2048).optional(),
});

type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
  match: RegExpExecArray,
) => Promise<void>;

interface Route {
  name: string;
  pattern: RegExp;
  methods: Partial<Record<string, Handler>>;
}

export function createGatewayServer(deps: GatewayServerDeps): GatewayServer {
  const { config, keyServer, metrics } = deps;
  const started = Date.now();
  const trustProxy = config.trust_proxy;
  const ip = (req: IncomingMessage) => clientIpOf(req, trustProxy);

  /** Reads form or JSON parameters, answering 400/413 itself when they are unusable. */
  const params = async <T>(
    req: IncomingMessage,
    res: ServerResponse,
    schema: z.ZodType<T>,
    onInvalid?: (reason: string) => void,
  ): Promise<T | undefined> => {
    const body = await readBody(req, config.max_body_bytes);
    if (!body.ok) {
      onInvalid?.(body.reason);
      if (body.reason === 'too_large') {
        sendError(res, 'invalid_request', { connection: 'close' }, 413);
        drain(req);
      }
      return undefined;
    }
    const parsed = parseParams(req.headers['content-type'], body.body);
    if (!parsed.ok) {
      onInvalid?.(parsed.reason);
      sendError(res, 'invalid_request');
      return undefined;
    }
    const checked = schema.safeParse(parsed.params);
    if (!checked.success) {
      onInvalid?.('parameters');
      sendError(res, 'invalid_request');
      return undefined;
    }
    return checked.data;
  };

  const admin = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const check = await keyServer.checkAdmin(req.headers.authorization);
    if (check === 'ok') return true;
    if (check === 'unauthorized') {
      deps.logger?.warn({ client_ip: ip(req), route: req.url?.split('?')[0] }, 'admin call with a wrong admin token');
      sendError(res, 'unauthorized', { 'www-authenticate': 'Bearer' });
    } else {
      sendError(res, 'admin_not_configured');
    }
    return false;
  };

  const exchange: Handler = async (req, res) => {
    const clientIp = ip(req);
    const audit = (reason: string) => keyServer.refusedAtEdge(reason, clientIp);
    const input = await params(req, res, exchangeSchema, audit);
    if (!input) return;
    const result = await keyServer.exchange(input, clientIp);
    if (result.ok) return sendJson(res, 200, result.body);
    const headers: Record<string, string | number> = {};
    if (result.error === 'rate_limited' && result.retryAfterSecs) headers['retry-after'] = result.retryAfterSecs;
    sendError(res, result.error, headers);
  };

  const revoke: Handler = async (req, res) => {
    const input = await params(req, res, tokenParamSchema);
    if (!input) return;
    await keyServer.revokeSelf(input.token, ip(req));
    sendEmpty(res, 200);
  };

  const introspect: Handler = async (req, res) => {
    if (!(await admin(req, res))) {
      drain(req);
      return;
    }
    const input = await params(req, res, tokenParamSchema);
    if (!input) return;
    sendJson(res, 200, await keyServer.introspect(input.token));
  };

  const revokeJti: Handler = async (req, res, _url, match) => {
    if (!(await admin(req, res))) return;
    let jti: string;
    try {
      jti = decodeURIComponent(match[1] as string);
    } catch {
      return sendError(res, 'invalid_request');
    }
    const record = jti.length <= 256 ? await keyServer.revokeJti(jti, ip(req)) : undefined;
    if (record) sendEmpty(res, 204);
    else sendError(res, 'token_not_found');
  };

  const subjectQuery = (search: URLSearchParams, res: ServerResponse) => {
    const query: Record<string, string> = {};
    for (const [key, value] of search) {
      if (Object.hasOwn(query, key)) {
        sendError(res, 'invalid_request');
        return undefined;
      }
      query[key] = value;
    }
    const checked = subjectQuerySchema.safeParse(query);
    if (!checked.success) sendError(res, 'invalid_request');
    return checked.success ? checked.data : undefined;
  };

  const revokeSubject: Handler = async (req, res, search) => {
    if (!(await admin(req, res))) return;
    const query = subjectQuery(search, res);
    if (!query) return;
    const records = await keyServer.revokeSubject(query.subject, query.issuer, ip(req));
    sendJson(res, 200, { revoked: records.length, subject: query.subject });
  };

  const listSubject: Handler = async (req, res, search) => {
    if (!(await admin(req, res))) return;
    const query = subjectQuery(search, res);
    if (!query) return;
    const records = await keyServer.listSubject(query.subject, query.issuer);
    sendJson(res, 200, {
      subject: query.subject,
      tokens: records.map((record) => ({
        jti: record.jti,
        iss: record.iss,
        scope: record.scope,
        issued_at: new Date(record.issued_at).toISOString(),
        expires_at: new Date(record.expires_at).toISOString(),
      })),
    });
  };

  const healthz: Handler = async (_req, res) => {
    sendJson(res, 200, {
      status: 'ok',
      version: deps.version ?? 'unknown',
      uptime_s: Math.floor((Date.now() - started) / 1000),
      key_server: config.key_server.enabled,
    });
  };

  const metricsRoute: Handler = async (_req, res) => {
    const text = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
    res.end(text);
  };

  const keyRoutes: Route[] = config.key_server.enabled
    ? [
        { name: '/auth/token', pattern: /^\/auth\/token$/, methods: { POST: exchange } },
        { name: '/auth/revoke', pattern: /^\/auth\/revoke$/, methods: { POST: revoke } },
        { name: '/auth/introspect', pattern: /^\/auth\/introspect$/, methods: { POST: introspect } },
        { name: '/auth/token/{jti}', pattern: /^\/auth\/token\/([^/]+)$/, methods: { DELETE: revokeJti } },
        { name: '/auth/tokens', pattern: /^\/auth\/tokens$/, methods: { DELETE: revokeSubject, GET: listSubject } },
      ]
    : [];
  const routes: Route[] = [
    ...keyRoutes,
    { name: '/healthz', pattern: /^\/healthz$/, methods: { GET: healthz, HEAD: healthz } },
    { name: '/metrics', pattern: /^\/metrics$/, methods: { GET: metricsRoute } },
  ];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<string> => {
    const target = req.url ?? '/';
    const mark = target.indexOf('?');
    const pathname = mark === -1 ? target : target.slice(0, mark);
    const query = new URLSearchParams(mark === -1 ? '' : target.slice(mark + 1));
    for (const route of routes) {
      const match = route.pattern.exec(pathname);
      if (!match) continue;
      const handler = route.methods[req.method ?? 'GET'];
      if (!handler) {
        sendError(res, 'method_not_allowed', { allow: Object.keys(route.methods).join(', ') });
        drain(req);
        return route.name;
      }
      await handler(req, res, query, match);
      return route.name;
    }
    sendError(res, 'not_found');
    drain(req);
    return 'unknown';
  };

  const server = createServer(
    { requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 },
    (req, res) => {
      handle(req, res)
        .catch((error: unknown) => {
          deps.logger?.error({ err: error, route: req.url?.split('?')[0] }, 'request failed');
          if (!res.headersSent) sendError(res, 'server_error');
          else res.destroy();
          return 'error';
        })
        .then((route) => {
          metrics.requests.inc({ route, status: String(res.statusCode) });
        });
    },
  );

  return {
    server,
    listen() {
      return new Promise((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        server.once('error', onError);
        server.listen(config.listen.port, config.listen.host, () => {
          server.off('error', onError);
          const address = server.address() as AddressInfo;
          const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve({ url: `http://${host}:${address.port}`, host: address.address, port: address.port });
        });
      });
    },
    close(graceMs = 10_000) {
      return new Promise((resolve) => {
        if (!server.listening) return resolve();
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
