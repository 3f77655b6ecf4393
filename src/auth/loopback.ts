import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { LlmcError } from '../errors.js';

/**
 * The RFC 8252 loopback redirect: a one-shot HTTP listener on 127.0.0.1 (never
 * a wildcard address) that receives `/callback?code=…&state=…`, hands it to
 * the login, and answers the browser once the login has finished, so the page
 * says what really happened.
 */

/** Default callback port; any free port is used when it is taken (RFC 8252 §7.3 lets it vary). */
export const DEFAULT_CALLBACK_PORT = 7329;
export const CALLBACK_PATH = '/callback';

export interface CallbackPage {
  ok: boolean;
  title: string;
  message: string;
}

export interface CallbackHit {
  url: URL;
  /** Answer the browser; the listener closes afterwards. */
  respond(page: CallbackPage): void;
}

export interface CallbackListener {
  port: number;
  redirectUri: string;
  /** The first request to /callback. */
  hit: Promise<CallbackHit>;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** `--port N`: that port or an error; otherwise the default, falling back to any free port. */
  port?: number | undefined;
}

export async function listenForCallback(options: ListenOptions = {}): Promise<CallbackListener> {
  let resolveHit: (hit: CallbackHit) => void = () => undefined;
  const hit = new Promise<CallbackHit>((resolve) => {
    resolveHit = resolve;
  });
  let taken = false;
  let pending: ServerResponse | undefined;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method !== 'GET' || url.pathname !== CALLBACK_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    if (taken) {
      send(response, {
        ok: false,
        title: 'Already handled',
        message: 'This login has already finished. You can close this tab.',
      });
      return;
    }
    taken = true;
    pending = response;
    const full = new URL(`${url.pathname}${url.search}`, `http://127.0.0.1:${port}`);
    resolveHit({
      url: full,
      respond(page) {
        if (pending && !pending.headersSent) send(pending, page);
        pending = undefined;
      },
    });
  });
  server.keepAliveTimeout = 1_000;
  const port = await bind(server, options.port);
  return {
    port,
    redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
    hit,
    close: () =>
      new Promise<void>((resolve) => {
        if (pending && !pending.headersSent) {
          send(pending, { ok: false, title: 'Login ended', message: 'llmc stopped waiting. You can close this tab.' });
        }
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function bind(server: Server, port: number | undefined): Promise<number> {
  const attempt = (p: number) =>
    new Promise<number>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen(p, '127.0.0.1', () => {
        server.off('error', onError);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : p);
      });
    });
  if (port !== undefined) {
    try {
      return await attempt(port);
    } catch (error) {
      throw new LlmcError(
        'ERR_USAGE',
        `cannot listen on 127.0.0.1:${port} for the login callback: ${(error as Error).message}`,
        {
          hint: 'choose another --port, or leave it out to use any free port',
          cause: error,
        },
      );
    }
  }
  try {
    return await attempt(DEFAULT_CALLBACK_PORT);
  } catch {
    return attempt(0);
  }
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export function renderPage(page: CallbackPage): string {
  const colour = page.ok ? '#1a7f37' : '#cf222e';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>llmc — ${escapeHtml(page.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem;color:${colour}}</style></head>
<body><h1>${escapeHtml(page.title)}</h1><p>${escapeHtml(page.message)}</p></body></html>
`;
}

function send(response: ServerResponse, page: CallbackPage): void {
  response.writeHead(page.ok ? 200 : 400, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    connection: 'close',
  });
  response.end(renderPage(page));
}
