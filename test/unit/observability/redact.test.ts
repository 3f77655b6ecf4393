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

  it('redacts secret shapes inside free text', () => {
    expect(redactString(`Authorization: Bearer ${secrets.google}`)).not.toContain(secrets.google);
    expect(redactString(`key=${secrets.openai}`)).not.toContain(secrets.openai);
  });
});
