import { describe, expect, it } from 'vitest';
import { isLlmcError } from '../../../src/errors.js';
import { parseGatewayConfig } from '../../../src/gateway/config.js';
import { parseDuration } from '../../../src/gateway/duration.js';

function parse(text: string) {
  return parseGatewayConfig('gateway.yaml', text);
}

function failure(text: string): string {
  try {
    parse(text);
  } catch (error) {
    if (isLlmcError(error)) {
      expect(error.code).toBe('ERR_GATEWAY_CONFIG');
      expect(error.exitCode).toBe(2);
      return error.message;
    }
    throw error;
  }
  throw new Error('expected the config to be refused');
}

const architectureExample = `listen: 127.0.0.1:8080
auth: { api_keys: ["env:STATIC_KEY"] }
key_server:
  enabled: true
  token_ttl: 1h                  # or token_ttl_secs: 3600
  max_tokens_per_identity: 5
  max_oidc_token_age_secs: 300
  admin_token: env:LLMC_GATEWAY_ADMIN_TOKEN
  oidc:
    - issuer: https://accounts.google.com
      audiences: [gateway-client-id]
      allowed_domains: [company.com]
    - issuer: https://token.actions.githubusercontent.com
      audiences: [mcp-gateway]
  policies:                      # first match wins
    - match: { domain: company.com }
      scopes: { backends: ["*"], tools: ["*"], rate_limit: 100 }
    - match: { issuer: https://token.actions.githubusercontent.com, claims: { repository_owner: my-org } }
      scopes: { backends: [tavily, brave], tools: [tavily-search, "brave_*"], rate_limit: 50 }
backends:
  openai: { type: openai, url: https://api.openai.com/v1, api_key: env:OPENAI_API_KEY }
  tavily: { type: mcp, url: https://mcp.tavily.com/mcp, auth: { type: apiKey, api_key: env:TAVILY_API_KEY } }
store: { type: memory }          # or { type: redis, url: redis://127.0.0.1:6379 }
`;

describe('gateway.yaml', () => {
  it('reads the example of ARCHITECTURE §6 as written', () => {
    const config = parse(architectureExample);
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.auth.api_keys).toEqual([
      { key: 'env:STATIC_KEY', name: 'api_keys[0]', scopes: { backends: ['*'], tools: ['*'], rate_limit: 0 } },
    ]);
    const ks = config.key_server;
    expect(ks).toMatchObject({
      enabled: true,
      token_ttl_ms: 3_600_000,
      max_tokens_per_identity: 5,
      on_token_cap: 'reject',
      max_oidc_token_age_secs: 300,
      cleanup_interval_ms: 60_000,
      admin_token: 'env:LLMC_GATEWAY_ADMIN_TOKEN',
    });
    expect(ks.oidc[0]).toMatchObject({
      issuer: 'https://accounts.google.com',
      audiences: ['gateway-client-id'],
      allowed_domains: ['company.com'],
      auto_discover: true,
    });
    expect(ks.oidc[0]?.algorithms).not.toContain('HS256');
    expect(ks.policies[1]).toEqual({
      name: 'policies[1]',
      match: {
        issuer: 'https://token.actions.githubusercontent.com',
        claims: { repository_owner: ['my-org'] },
        domain: undefined,
        email: undefined,
        group: undefined,
      },
      scopes: { backends: ['tavily', 'brave'], tools: ['tavily-search', 'brave_*'], rate_limit: 50 },
    });
    expect(Object.keys(config.backends)).toEqual(['openai', 'tavily']);
    expect(config.store).toEqual({ type: 'memory' });
    expect(config.warnings).toEqual([]);
  });

  it("accepts mcp-gateway's spellings: token_ttl_secs, cleanup_interval_secs, jwks_uri, discovery_url, auto_discover", () => {
    const config = parse(`server: { host: 0.0.0.0, port: 39400 }
auth:
  enabled: true
  bearer_token: env:MCP_GATEWAY_TOKEN
  api_keys:
    - { key: "env:CLIENT_A_KEY", name: client-a, rate_limit: 10, backends: [tavily], allowed_tools: ["tavily-*"] }
key_server:
  enabled: true
  token_ttl_secs: 1800
  cleanup_interval_secs: 30
  oidc:
    - issuer: https://accounts.google.com
      jwks_uri: https://www.googleapis.com/oauth2/v3/certs
      audiences: [client]
    - issuer: https://login.example.com
      discovery_url: https://login.example.com/custom/.well-known/openid-configuration
      auto_discover: false
      audiences: [client]
  policies:
    - match: { group: staff }
      scopes: { backends: ["*"], tools: ["*"] }
`);
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 39400 });
    expect(config.key_server.token_ttl_ms).toBe(1_800_000);
    expect(config.key_server.cleanup_interval_ms).toBe(30_000);
    expect(config.key_server.oidc[0]?.jwks_uri).toBe('https://www.googleapis.com/oauth2/v3/certs');
    expect(config.key_server.oidc[1]).toMatchObject({ auto_discover: false });
    expect(config.auth.api_keys.map((key) => key.name)).toEqual(['bearer_token', 'client-a']);
    expect(config.auth.api_keys[1]?.scopes).toEqual({ backends: ['tavily'], tools: ['tavily-*'], rate_limit: 10 });
  });

  it('reads durations such as 90s, 30m, 1h and 1h30m', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1 hour')).toBeUndefined();
    expect(parse('key_server: { token_ttl: 90s }').key_server.token_ttl_ms).toBe(90_000);
    expect(parse('key_server: { token_ttl: 120 }').key_server.token_ttl_ms).toBe(120_000);
  });

  it('listens on 127.0.0.1:0 and on [::1]:PORT', () => {
    expect(parse('listen: 127.0.0.1:0').listen).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parse('listen: "[::1]:8080"').listen).toEqual({ host: '::1', port: 8080 });
  });

  it.each([
    [
      'a wrong type',
      'key_server:\n  max_tokens_per_identity: five\n',
      'gateway.yaml:2:28: key_server.max_tokens_per_identity expected number, got "five"',
    ],
    [
      'a bad duration',
      'key_server:\n  token_ttl: 1 hour\n',
      'gateway.yaml:2:14: key_server.token_ttl expected a duration like 1h, 30m or 90s, got "1 hour"',
    ],
    [
      'both TTL spellings',
      'key_server:\n  token_ttl: 1h\n  token_ttl_secs: 60\n',
      'gateway.yaml:3:3: key_server.token_ttl_secs is given twice; keep token_ttl or token_ttl_secs',
    ],
    [
      'a misspelt key',
      'key_server:\n  max_token_per_identity: 3\n',
      'gateway.yaml:2:3: unknown setting key_server.max_token_per_identity (did you mean max_tokens_per_identity?)',
    ],
    [
      'a missing audience list',
      'key_server:\n  oidc:\n    - issuer: https://a.example\n',
      'gateway.yaml:3:7: key_server.oidc[0].audiences is required',
    ],
    [
      'an empty audience list',
      'key_server:\n  oidc:\n    - issuer: https://a.example\n      audiences: []\n',
      'gateway.yaml:4:18: key_server.oidc[0].audiences needs at least 1 item',
    ],
    [
      'a plain-http issuer',
      'key_server:\n  oidc:\n    - issuer: http://idp.example\n      audiences: [x]\n',
      'gateway.yaml:3:15: key_server.oidc[0].issuer is plain http (http://idp.example); issuers, discovery and JWKS must be https (dev.allow_http_issuers: true allows http for development)',
    ],
    [
      'a plain-http jwks_uri',
      'key_server:\n  oidc:\n    - issuer: https://idp.example\n      jwks_uri: http://idp.example/jwks\n      audiences: [x]\n',
      'gateway.yaml:4:17: key_server.oidc[0].jwks_uri is plain http',
    ],
    [
      'an algorithm outside the allow-list',
      'key_server:\n  oidc:\n    - issuer: https://idp.example\n      audiences: [x]\n      algorithms: [HS256]\n',
      'gateway.yaml:5:20: key_server.oidc[0].algorithms[0] must be one of',
    ],
    [
      'an unknown on_token_cap',
      'key_server:\n  on_token_cap: drop\n',
      'gateway.yaml:2:17: key_server.on_token_cap must be one of "reject", "evict_oldest", got "drop"',
    ],
    ['a YAML syntax error', 'key_server:\n  oidc: [\n', 'gateway.yaml:3:1:'],
    ['a duplicate key', 'listen: 127.0.0.1:1\nlisten: 127.0.0.1:2\n', 'gateway.yaml:2:1: duplicate key'],
    [
      'a bad listen address',
      'listen: everywhere\n',
      'gateway.yaml:1:9: listen expected HOST:PORT (e.g. 127.0.0.1:8080), got "everywhere"',
    ],
    ['an unknown store type', 'store: { type: etcd }\n', 'gateway.yaml:1:16: store.type is not a known type: "etcd"'],
    [
      'a repeated issuer',
      'key_server:\n  oidc:\n    - { issuer: https://a.example, audiences: [x] }\n    - { issuer: https://a.example, audiences: [y] }\n',
      'gateway.yaml:4:17: key_server.oidc[1].issuer repeats https://a.example',
    ],
  ])('refuses %s with file:line:col and what is wrong', (_name, text, expected) => {
    expect(failure(text)).toContain(expected);
  });

  it('allows plain-http issuers only with dev.allow_http_issuers, and says so at every start', () => {
    const config = parse(
      'dev: { allow_http_issuers: true }\nkey_server:\n  oidc:\n    - { issuer: http://127.0.0.1:9, audiences: [x] }\n',
    );
    expect(config.key_server.oidc[0]?.issuer).toBe('http://127.0.0.1:9');
    expect(config.warnings.some((line) => line.includes('dev.allow_http_issuers is on'))).toBe(true);
  });

  it('warns about settings it ignores, empty grants and policies that can never match', () => {
    const config = parse(`meta_mcp: { enabled: true }
key_server:
  oidc: [{ issuer: https://a.example, audiences: [x] }]
  policies:
    - match: { issuer: https://b.example }
      scopes: { tools: [] }
    - scopes: { backends: ["*"] }
`);
    expect(config.warnings.join('\n')).toMatch(
      /gateway\.yaml:1:1: meta_mcp is not an llmc gateway setting and is ignored/,
    );
    expect(config.warnings.join('\n')).toMatch(/which is not under key_server\.oidc, so it never matches/);
    expect(config.warnings.join('\n')).toMatch(/grants no tools \(an empty list means none here/);
    expect(config.warnings.join('\n')).toMatch(/policies\[1\] has an empty match and admits every verified identity/);
  });

  it('defaults to a disabled key server when the section is absent', () => {
    const config = parse('listen: 127.0.0.1:0\n');
    expect(config.key_server.enabled).toBe(false);
    expect(config.max_body_bytes).toBe(65_536);
    expect(config.trust_proxy).toBe(false);
  });
});
