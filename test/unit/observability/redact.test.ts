import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { redact, redactString } from '../../../src/observability/redact.js';

const jwt =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiIxMjM0NTY3ODkwIiwiZW1haWwiOiJhbmFAY29tcGFueS5jb20ifQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
const secrets = {
  gateway: 'mcpgw_9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4',
  client: 'llmc_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg',
  openai: 'sk-proj-AAAAbbbbCCCCddddEEEEffff1234',
  anthropic: 'sk-ant-api03-ZZZZyyyyXXXXwwww9876',
  refresh: '1//0gRefreshTokenValue-abcdefghijk',
  google: 'ya29.a0AfH6SMBx-access-token-value',
  password: 'hunter2-correct-horse',
  basic: 'dXNlcjpwYXNzd29yZA==',
  code: 'SplxlOBeZQQYbYS6WxSbIA',
  verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
};

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

describe('logger redaction', () => {
  it('lets no token shape through headers, nested fields, URLs, messages or errors', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, level: 'trace', pretty: false });
    const headers = new Headers({ authorization: `Bearer ${secrets.gateway}`, 'x-api-key': secrets.anthropic });
    logger.info(
      { headers: { Authorization: `Bearer ${jwt}`, 'X-Api-Key': secrets.openai, cookie: `sid=${secrets.password}` } },
      'request',
    );
    logger.info({ fetchHeaders: headers }, 'fetch headers object');
    logger.info(
      { profile: { tokens: { access_token: secrets.google, refresh_token: secrets.refresh, id_token: jwt } } },
      'nested',
    );
    logger.info(
      {
        upstream: { config: { api_key: secrets.openai, client_secret: secrets.password, password: secrets.password } },
      },
      'config',
    );
    logger.info(
      { url: `http://127.0.0.1:5000/callback?code=${secrets.code}&state=abc&code_verifier=${secrets.verifier}` },
      'callback',
    );
    logger.info(
      { url: new URL(`https://user:${secrets.password}@api.example.com/v1?access_token=${secrets.google}`) },
      'url object',
    );
    logger.warn(`exchanging ${jwt} for ${secrets.gateway} with client key ${secrets.client}`);
    logger.error(
      { err: new Error(`upstream said 401 for key ${secrets.openai} (Authorization: Basic ${secrets.basic})`) },
      'failed',
    );
    const nested = new Error('outer', { cause: new Error(`inner with token=${secrets.refresh}`) });
    logger.error({ err: nested }, 'cause chain');
    logger.debug({ list: [secrets.gateway, { deeper: [{ token: secrets.client }] }] }, 'arrays');
    logger.info({ body: JSON.stringify({ subject_token: jwt, scope: 'backends:*' }) }, 'raw body');
    const text = out.text();
    for (const [name, value] of Object.entries({ ...secrets, jwt })) {
      expect(text, `${name} leaked`).not.toContain(value);
    }
    // What is not secret stays readable.
    expect(text).toContain('state=abc');
    expect(text).toContain('api.example.com');
    expect(text).toContain('backends:*');
    expect(text.split('\n').filter(Boolean)).toHaveLength(11);
  });

  it('redacts the message pino takes from an error, child bindings and interpolated arguments', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, level: 'trace', pretty: false });
    logger.error(new Error(`refresh failed: Bearer ${secrets.google}`));
    logger.error({ err: new Error(`upstream rejected ${secrets.gateway}`) });
    logger.child({ authorization: `Basic ${secrets.basic}`, token: secrets.refresh }).info('child');
    logger.info('calling with %o and %j', { password: secrets.password }, { api_key: secrets.openai });
    const text = out.text();
    for (const [name, value] of Object.entries(secrets)) expect(text, `${name} leaked`).not.toContain(value);
    expect(text).toContain('refresh failed');
    expect(text.split('\n').filter(Boolean)).toHaveLength(4);
  });

  it('keeps ordinary fields and error codes', () => {
    const value = redact({
      code: 'ERR_LOGIN_REQUIRED',
      status: 401,
      email: 'ana@company.com',
      jti: 'abc',
      expires_at: '2026-11-25T00:00:00Z',
    });
    expect(value).toEqual({
      code: 'ERR_LOGIN_REQUIRED',
      status: 401,
      email: 'ana@company.com',
      jti: 'abc',
      expires_at: '2026-11-25T00:00:00Z',
    });
  });

  it('handles cycles', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(redact(a)).toEqual({ name: 'a', self: '[Circular]' });
  });

  it('redacts cookies, any Authorization scheme, quoted values, URL userinfo and binary data', () => {
    const cases: Array<[string, string, string?]> = [
      [`Cookie: sid=${secrets.password}; theme=dark`, secrets.password],
      [`set-cookie: session=${secrets.code}; Path=/; HttpOnly`, secrets.code],
      ['Authorization: Negotiate YIIGhgYJKoZIhvcSAQICAQBuggZ1MIIGcaADAgEF', 'YIIGhgYJKoZIhvcSAQICAQBuggZ1'],
      ['authorization: Digest username="ana", response="6629fae49393a05397450978507c4ef1"', '6629fae49393a0539745'],
      ['{"password":"correct horse battery staple"}', 'horse battery staple'],
      ["client_secret='two words'", 'two words'],
      ['redis://:s3cretpass@127.0.0.1:6379/0', 's3cretpass', '127.0.0.1:6379'],
      [`https://${secrets.code}@git.example.com/org/repo.git`, secrets.code, 'git.example.com/org/repo.git'],
    ];
    for (const [text, secret, kept] of cases) {
      const out = redactString(text);
      expect(out, text).not.toContain(secret);
      if (kept) expect(out, text).toContain(kept);
    }
    expect(redactString('https://api.example.com/v1?email=ana@company.com')).toContain('api.example.com');
    const binary = JSON.stringify(
      redact({
        body: Buffer.from(`client_secret=${secrets.password}`),
        raw: new TextEncoder().encode(secrets.password),
      }),
    );
    expect(binary).not.toMatch(/104,117,110,116,101,114|"0":104/); // "hunter" as bytes
    expect(redact({ body: Buffer.from('abc') })).toEqual({ body: '[binary 3 bytes]' });
  });

  it('redacts values under any key naming an API key, password or cookie', () => {
    const env = { OPENAI_API_KEY: 'k1', DB_PASSWORD: 'k2', x_goog_api_key: 'k3', cookies: 'k4', passphrase: 'k5' };
    expect(redact({ env })).toEqual({
      env: Object.fromEntries(Object.keys(env).map((key) => [key, '[REDACTED]'])),
    });
  });

  it('redacts secret shapes inside free text', () => {
    expect(redactString(`Authorization: Bearer ${secrets.google}`)).not.toContain(secrets.google);
    expect(redactString(`key=${secrets.openai}`)).not.toContain(secrets.openai);
  });
});

describe('redaction leaves prose alone', () => {
  it.each([
    'run `llmc auth token --gateway` to renew',
    'give the job `permissions: id-token: write`',
    'the gateway token expired at 2026-11-25T12:00:00Z',
    'refresh token stored in keychain',
    'token_type: Bearer',
    'set api_key: env:OPENAI_API_KEY',
    'exit code: 3',
  ])('%s', (text) => expect(redactString(text)).toBe(text));

  it.each([
    ['password: hunter2-horse', 'password: [REDACTED]'],
    ['admin_token: s3cr3t-admin-value', 'admin_token: [REDACTED]'],
    ['Authorization: Token abc123def456', 'Authorization: [REDACTED]'],
    ['curl -H "Authorization: Bearer abcdefghijkl"', 'curl -H "Authorization: [REDACTED]"'],
  ])('still hides %s', (text, expected) => expect(redactString(text)).toBe(expected));
});
