import { describe, expect, it } from 'vitest';
import { listenForCallback, renderPage } from '../../../src/auth/loopback.js';
import { checkCallback, parsePasted } from '../../../src/auth/oidc.js';
import { LlmcError } from '../../../src/errors.js';

describe('loopback callback listener', () => {
  it('listens on 127.0.0.1, serves /callback once, 404 elsewhere, and closes', async () => {
    const listener = await listenForCallback({ port: 0 });
    expect(listener.redirectUri).toBe(`http://127.0.0.1:${listener.port}/callback`);
    expect((await fetch(`http://127.0.0.1:${listener.port}/favicon.ico`)).status).toBe(404);
    const pending = fetch(`${listener.redirectUri}?code=c&state=s`);
    const hit = await listener.hit;
    expect(hit.url.searchParams.get('code')).toBe('c');
    hit.respond({ ok: true, title: 'Logged in', message: 'You can close this tab.' });
    const page = await pending;
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await page.text()).toContain('You can close this tab.');
    expect(await (await fetch(`${listener.redirectUri}?code=again`)).text()).toContain('already finished');
    await listener.close();
    await expect(fetch(listener.redirectUri)).rejects.toThrow();
  });

  it('escapes what it shows', () => {
    expect(renderPage({ ok: false, title: '<b>', message: '"x" & <script>' })).not.toContain('<script>');
  });
});

describe('callback checks', () => {
  const base = 'http://127.0.0.1:7329/callback';
  const code = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      return (error as LlmcError).code;
    }
    return 'none';
  };

  it('maps error redirects and bad state/code to stable codes', () => {
    expect(code(() => checkCallback(new URL(`${base}?error=access_denied&state=s`), 's'))).toBe('ERR_LOGIN_DENIED');
    expect(code(() => checkCallback(new URL(`${base}?error=invalid_scope&state=s`), 's'))).toBe('ERR_LOGIN_FAILED');
    expect(code(() => checkCallback(new URL(`${base}?error=temporarily_unavailable&state=s`), 's'))).toBe(
      'ERR_IDP_UNREACHABLE',
    );
    expect(code(() => checkCallback(new URL(`${base}?error=access_denied&state=x`), 's'))).toBe('ERR_OIDC_PROTOCOL');
    expect(code(() => checkCallback(new URL(`${base}?code=c&state=x`), 's'))).toBe('ERR_OIDC_PROTOCOL');
    expect(code(() => checkCallback(new URL(`${base}?state=s`), 's'))).toBe('ERR_OIDC_PROTOCOL');
    expect(code(() => checkCallback(new URL(`${base}?code=c&state=s`), 's'))).toBe('none');
  });

  it('accepts a pasted address or just its query, on our redirect URI', () => {
    expect(parsePasted('http://127.0.0.1:9999/callback?code=c&state=s', base).href).toBe(`${base}?code=c&state=s`);
    expect(parsePasted('  code=c&state=s \n', base).href).toBe(`${base}?code=c&state=s`);
    expect(() => parsePasted('hello', base)).toThrow(LlmcError);
  });
});
