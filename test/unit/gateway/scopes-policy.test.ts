import { describe, expect, it } from 'vitest';
import type { PolicyRule } from '../../../src/gateway/config.js';
import { globCovers, globMatch } from '../../../src/gateway/glob.js';
import { matchPolicy } from '../../../src/gateway/policy.js';
import { allowsBackend, allowsTool, formatScope, narrowScopes, parseScope } from '../../../src/gateway/scopes.js';
import { digestToken, looksLikeToken, mintToken, newJti } from '../../../src/gateway/tokens.js';
import type { VerifiedIdentity } from '../../../src/gateway/verify.js';

const GOOGLE = 'https://accounts.google.com';
const GITHUB = 'https://token.actions.githubusercontent.com';

function identity(overrides: Partial<VerifiedIdentity> = {}): VerifiedIdentity {
  return {
    iss: GOOGLE,
    sub: 'u1',
    email: 'ana@company.com',
    email_verified: true,
    domain: 'company.com',
    groups: [],
    claims: {},
    ...overrides,
  };
}

function rule(name: string, match: PolicyRule['match'], backends = ['*'], tools = ['*'], rate = 0): PolicyRule {
  return { name, match, scopes: { backends, tools, rate_limit: rate } };
}

describe('globs', () => {
  it('match whole strings with * as any run of characters', () => {
    expect(globMatch('brave_*', 'brave_web_search')).toBe(true);
    expect(globMatch('brave_*', 'xbrave_web')).toBe(false);
    expect(globMatch('refs/heads/*', 'refs/heads/feature/x')).toBe(true);
    expect(globMatch('my-org/*', 'my-org/app')).toBe(true);
    expect(globMatch('my-org/*', 'my-org-evil/app')).toBe(false);
    expect(globMatch('a.b', 'axb')).toBe(false);
    expect(globMatch('*', '')).toBe(true);
    expect(globMatch('a*b*c', 'abc')).toBe(true);
    expect(globMatch('a*b*c', 'axxbyyc')).toBe(true);
    expect(globMatch('a*b*c', 'axxbyy')).toBe(false);
    expect(globMatch('*.example.com', 'api.example.com')).toBe(true);
    expect(globMatch('*.example.com', 'example.com')).toBe(false);
    expect(globMatch('**x', 'yyx')).toBe(true);
    expect(globMatch('x*', 'x')).toBe(true);
    expect(globMatch('*x*', 'abc')).toBe(false);
  });

  it('stay linear on a crafted pattern and value (a regex with many stars backtracks for minutes)', () => {
    const pattern = `${'a*'.repeat(40)}b`;
    const value = 'a'.repeat(20_000);
    // Finishes in milliseconds; a backtracking regex would hit the test timeout instead.
    expect(globMatch(pattern, value)).toBe(false);
    expect(globMatch(pattern, `${value}b`)).toBe(true);
  });

  it('tell when one pattern lies inside another', () => {
    expect(globCovers('*', 'brave_*')).toBe(true);
    expect(globCovers('brave_*', 'brave_web_*')).toBe(true);
    expect(globCovers('brave_*', 'brave_*')).toBe(true);
    expect(globCovers('brave_web_*', 'brave_*')).toBe(false);
    expect(globCovers('tavily-search', 'tavily-*')).toBe(false);
    expect(globCovers('tavily-search', '*')).toBe(false);
  });
});

describe('scopes', () => {
  it('parse mcp-gateway’s scope string and format it back', () => {
    expect(parseScope('backends:tavily,brave tools:tavily-search,brave_*')).toEqual({
      backends: ['tavily', 'brave'],
      tools: ['tavily-search', 'brave_*'],
    });
    expect(parseScope('unknown:foo backends:tavily')).toEqual({ backends: ['tavily'] });
    expect(parseScope('backends: tools:x')).toEqual({ tools: ['x'] });
    expect(parseScope('')).toEqual({});
    expect(formatScope({ backends: ['*'], tools: ['a', 'b'] })).toBe('backends:* tools:a,b');
  });

  const policy = { backends: ['tavily', 'brave'], tools: ['tavily-search', 'brave_*'], rate_limit: 50 };

  it('give the policy’s grant when nothing is requested', () => {
    expect(narrowScopes(policy, {})).toEqual({ ok: true, scopes: policy });
  });

  it('narrow to what was requested inside the grant', () => {
    expect(narrowScopes(policy, { backends: ['brave'], tools: ['brave_web_search'] })).toEqual({
      ok: true,
      scopes: { backends: ['brave'], tools: ['brave_web_search'], rate_limit: 50 },
    });
    expect(narrowScopes({ ...policy, tools: ['*'] }, { tools: ['brave_*'] })).toMatchObject({ ok: true });
  });

  it('refuse any request that reaches outside the grant, instead of trimming it', () => {
    expect(narrowScopes(policy, { backends: ['openai'] })).toEqual({ ok: false, widening: ['backends:openai'] });
    expect(narrowScopes(policy, { tools: ['*'] })).toEqual({ ok: false, widening: ['tools:*'] });
    expect(narrowScopes(policy, { tools: ['brave_web_search', 'tavily-*'] })).toEqual({
      ok: false,
      widening: ['tools:tavily-*'],
    });
  });

  it('answer backend and tool checks with globs', () => {
    expect(allowsBackend(policy, 'brave')).toBe(true);
    expect(allowsBackend(policy, 'openai')).toBe(false);
    expect(allowsTool(policy, 'brave_image_search')).toBe(true);
    expect(allowsTool(policy, 'tavily-extract')).toBe(false);
  });
});

describe('policies', () => {
  const rules = [
    rule('staff', { domain: 'company.com', group: 'staff' }),
    rule('company', { domain: 'company.com' }, ['openai']),
    rule('ci', { issuer: GITHUB, claims: { repository_owner: ['my-org'], ref: ['refs/heads/main', 'refs/tags/v*'] } }),
    rule('one-person', { email: 'bob@*.example' }),
  ];

  it('take the first rule that matches', () => {
    expect(matchPolicy(rules, identity({ groups: ['staff'] }))?.name).toBe('staff');
    expect(matchPolicy(rules, identity())?.name).toBe('company');
  });

  it('read the domain from hd or a verified email only', () => {
    expect(matchPolicy(rules, identity({ domain: undefined }))?.name).toBeUndefined();
  });

  it('match an email only when the issuer verified it', () => {
    const bob = { email: 'bob@mail.example', domain: undefined };
    expect(matchPolicy(rules, identity({ ...bob, email_verified: true }))?.name).toBe('one-person');
    expect(matchPolicy(rules, identity({ ...bob, email_verified: false }))).toBeUndefined();
  });

  it('match GitHub Actions claims by glob: repository_owner, ref', () => {
    const ci = (claims: Record<string, unknown>) =>
      identity({ iss: GITHUB, email: undefined, email_verified: false, domain: undefined, claims });
    expect(matchPolicy(rules, ci({ repository_owner: 'my-org', ref: 'refs/heads/main' }))?.name).toBe('ci');
    expect(matchPolicy(rules, ci({ repository_owner: 'my-org', ref: 'refs/tags/v1.2.0' }))?.name).toBe('ci');
    expect(matchPolicy(rules, ci({ repository_owner: 'my-org', ref: 'refs/heads/dev' }))).toBeUndefined();
    expect(matchPolicy(rules, ci({ repository_owner: 'other-org', ref: 'refs/heads/main' }))).toBeUndefined();
    expect(matchPolicy(rules, ci({ ref: 'refs/heads/main' }))).toBeUndefined();
  });

  it('refuse when nothing matches, and match everything with an empty match', () => {
    expect(matchPolicy([], identity())).toBeUndefined();
    expect(matchPolicy([rule('all', {})], identity())?.name).toBe('all');
  });
});

describe('tokens', () => {
  it('are mcpgw_ + 43 base64url characters from 256 random bits, stored as sha256', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { token, digest } = mintToken();
      expect(token).toMatch(/^mcpgw_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token.slice(6), 'base64url')).toHaveLength(32);
      expect(digest).toBe(digestToken(token));
      expect(digest).toMatch(/^[0-9a-f]{64}$/);
      expect(looksLikeToken(token)).toBe(true);
      seen.add(token);
    }
    expect(seen.size).toBe(200);
    expect(looksLikeToken('mcpgw_short')).toBe(false);
    expect(looksLikeToken(`llmc_${'a'.repeat(43)}`)).toBe(false);
    expect(newJti()).toMatch(/^[0-9a-f-]{36}$/);
  });
});
