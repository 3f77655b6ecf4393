import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeClaims } from '../../../src/auth/userinfo.js';
import { repoRoot } from '../../helpers/cli.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(repoRoot, 'fixtures/auth/claims', `${name}.json`), 'utf8')) as {
    id_token: Record<string, unknown>;
    userinfo: Record<string, unknown>;
    expected: Record<string, unknown>;
  };

describe('normalizeClaims (recorded claim shapes)', () => {
  it.each(['google', 'microsoft', 'okta', 'keycloak'])('%s', (name) => {
    const { id_token, userinfo, expected } = fixture(name);
    const user = normalizeClaims(id_token, userinfo);
    expect(user).toMatchObject(expected);
    if (!('domain' in expected)) expect(user.domain).toBeUndefined();
  });

  it('an unverified email gives no domain; hd always does', () => {
    expect(normalizeClaims({ sub: 's', email: 'a@x.com', email_verified: false }).domain).toBeUndefined();
    expect(normalizeClaims({ sub: 's', email: 'a@x.com', email_verified: 'true' }).domain).toBe('x.com');
    expect(normalizeClaims({ sub: 's', hd: 'corp.com' }).domain).toBe('corp.com');
  });

  it('UserInfo wins over the id_token, but never changes the subject', () => {
    const user = normalizeClaims({ sub: 'a', name: 'Old' }, { sub: 'b', name: 'New' });
    expect(user).toMatchObject({ subject: 'a', name: 'New' });
  });

  it('falls back to given/family name and a UPN-shaped preferred_username', () => {
    const user = normalizeClaims({
      sub: 's',
      given_name: 'Ana',
      family_name: 'Lima',
      preferred_username: 'ana@corp.com',
    });
    expect(user).toMatchObject({ name: 'Ana Lima', email: 'ana@corp.com', groups: [] });
  });
});
