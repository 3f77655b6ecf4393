/**
 * One user shape from the claim sets Google, Microsoft, Okta and Keycloak
 * send (id_token claims merged with the UserInfo response, which wins for
 * profile fields). The domain follows ARCHITECTURE §9: the `hd` claim, else
 * the email's domain only when the email is verified.
 */

export interface NormalizedUser {
  subject: string;
  email?: string | undefined;
  email_verified?: boolean | undefined;
  name?: string | undefined;
  picture?: string | undefined;
  groups: string[];
  domain?: string | undefined;
}

type Claims = Record<string, unknown>;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/** true / "true" (Okta and some IdPs send strings); Microsoft's `xms_edov` vouches for the email domain. */
function verified(claims: Claims): boolean | undefined {
  const value = claims.email_verified;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  if (claims.xms_edov === true || claims.xms_edov === 'true' || claims.xms_edov === '1' || claims.xms_edov === 1) {
    return true;
  }
  return undefined;
}

function groups(claims: Claims): string[] {
  const value = claims.groups;
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string' && value !== '') return [value];
  return [];
}

export function normalizeClaims(idTokenClaims: Claims, userinfo: Claims = {}): NormalizedUser {
  const merged: Claims = { ...idTokenClaims };
  for (const [key, value] of Object.entries(userinfo)) if (value !== undefined && value !== null) merged[key] = value;
  const subject = text(idTokenClaims.sub) ?? text(userinfo.sub) ?? '';
  // Microsoft puts the sign-in name, often the only email-like value, in preferred_username / upn.
  const email = text(merged.email) ?? emailLike(merged.preferred_username) ?? emailLike(merged.upn);
  const emailVerified = text(merged.email) ? verified(merged) : undefined;
  const name =
    text(merged.name) ??
    ([text(merged.given_name), text(merged.family_name)].filter(Boolean).join(' ') || undefined) ??
    text(merged.preferred_username) ??
    text(merged.nickname);
  const hd = text(merged.hd);
  const domain =
    hd ?? (email && emailVerified === true ? email.slice(email.lastIndexOf('@') + 1).toLowerCase() : undefined);
  return {
    subject,
    email,
    email_verified: emailVerified,
    name,
    picture: text(merged.picture),
    groups: groups(merged),
    domain,
  };
}

function emailLike(value: unknown): string | undefined {
  const candidate = text(value);
  return candidate && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(candidate) ? candidate : undefined;
}
