import type { PolicyMatch, PolicyRule } from './config.js';
import { globMatch, matchesAny } from './glob.js';
import type { VerifiedIdentity } from './verify.js';

/**
 * Identity → policy, first match wins. Every criterion a rule names must
 * hold: `issuer` exactly; `domain`, `email`, `group` and each entry of
 * `claims` as globs (`claims` is how GitHub Actions tokens are told apart:
 * `repository`, `repository_owner`, `ref`, `environment`, `job_workflow_ref`).
 * No rule matching means no token.
 */
export function matchPolicy(rules: readonly PolicyRule[], identity: VerifiedIdentity): PolicyRule | undefined {
  for (const rule of rules) if (matches(rule.match, identity)) return rule;
  return undefined;
}

function matches(match: PolicyMatch, identity: VerifiedIdentity): boolean {
  if (match.issuer !== undefined && match.issuer !== identity.iss) return false;
  if (match.domain !== undefined && (identity.domain === undefined || !globMatch(match.domain, identity.domain))) {
    return false;
  }
  if (match.email !== undefined) {
    // An address the issuer has not verified is only a string someone typed.
    if (!identity.email || !identity.email_verified || !globMatch(match.email, identity.email)) return false;
  }
  if (match.group !== undefined && !identity.groups.some((group) => globMatch(match.group as string, group))) {
    return false;
  }
  if (match.claims) {
    for (const [claim, globs] of Object.entries(match.claims)) {
      if (!claimMatches(identity.claims[claim], globs)) return false;
    }
  }
  return true;
}

function claimMatches(value: unknown, globs: readonly string[]): boolean {
  if (typeof value === 'string') return matchesAny(globs, value);
  if (typeof value === 'number' || typeof value === 'boolean') return matchesAny(globs, String(value));
  if (Array.isArray(value)) return value.some((item) => typeof item === 'string' && matchesAny(globs, item));
  return false;
}
