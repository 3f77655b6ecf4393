import type { IncomingMessage, ServerResponse } from 'node:http';
import { type WireErrorCode, wireError, wireStatus } from './wire.js';

/**
 * Request edges for the key server: bounded body reading, form/JSON
 * parameter parsing that refuses repeated parameters and foreign content
 * types, and JSON answers with no-store caching.
 */

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too_large' | 'aborted' };

export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false, reason: 'too_large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish({ ok: false, reason: 'too_large' });
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => finish({ ok: true, body: Buffer.concat(chunks, size) }));
    req.on('error', () => finish({ ok: false, reason: 'aborted' }));
    req.on('close', () => finish({ ok: false, reason: 'aborted' }));
  });
}

/**
 * After answering early (413), read and discard what the client is still
 * sending, so it sees the answer rather than a reset; past `cap` bytes the
 * connection is cut.
 */
export function drain(req: IncomingMessage, cap = 16 * 1024 * 1024): void {
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > cap) req.destroy();
  });
  req.resume();
}

export type ParamsResult =
  | { ok: true; params: Record<string, string> }
  | { ok: false; reason: 'content_type' | 'duplicate' | 'syntax' | 'shape' };

/** `application/x-www-form-urlencoded` (RFC 6749 §3.2: no parameter twice) or a flat JSON object of strings. */
export function parseParams(contentType: string | undefined, body: Buffer): ParamsResult {
  const [type = '', ...rest] = (contentType ?? '').split(';').map((part) => part.trim().toLowerCase());
  const charset = rest
    .find((part) => part.startsWith('charset='))
    ?.slice(8)
    .replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return { ok: false, reason: 'content_type' };
  const text = body.toString('utf8');
  if (type === 'application/x-www-form-urlencoded') {
    const params: Record<string, string> = Object.create(null);
    for (const [key, value] of new URLSearchParams(text)) {
      if (Object.hasOwn(params, key)) return { ok: false, reason: 'duplicate' };
      params[key] = value;
    }
    return { ok: true, params };
  }
  if (type === 'application/json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false, reason: 'syntax' };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'shape' };
    const params: Record<string, string> = Object.create(null);
    for (const [key, item] of Object.entries(value)) {
      if (typeof item !== 'string') return { ok: false, reason: 'shape' };
      params[key] = item;
    }
    return { ok: true, params };
  }
  return { ok: false, reason: 'content_type' };
}

const baseHeaders = {
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'x-content-type-options': 'nosniff',
};

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | number> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...baseHeaders,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  code: WireErrorCode,
  headers: Record<string, string | number> = {},
  status = wireStatus[code],
): void {
  sendJson(res, status, wireError(code), headers);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { ...baseHeaders, ...(status === 204 ? {} : { 'content-length': 0 }), ...headers });
  res.end();
}

export function clientIpOf(req: IncomingMessage, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
    const real = req.headers['x-real-ip'];
    if (typeof real === 'string' && real.trim()) return real.trim();
  }
  const address = req.socket.remoteAddress;
  return address?.startsWith('::ffff:') ? address.slice(7) : address;
}
