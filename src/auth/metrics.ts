import { counter, sharedRegistry } from '../observability/metrics.js';

/**
 * Auth counters in the process-wide registry (served by whichever process
 * exposes /metrics). Outcomes of the discovery/JWKS document cache:
 * `hit` (fresh, no request), `revalidated` (304), `miss` (downloaded),
 * `stale` (IdP unreachable, cached copy used).
 */
export function discoveryCacheCounter() {
  return counter(
    sharedRegistry(),
    'llmc_oidc_discovery_cache_total',
    'OIDC discovery and JWKS document cache lookups by outcome',
    ['document', 'outcome'],
  );
}

export function verificationFailureCounter() {
  return counter(
    sharedRegistry(),
    'llmc_oidc_verification_failures_total',
    'id_token verification failures by reason',
    ['reason'],
  );
}

export function cacheOutcomeLabel(outcome: 'fresh' | 'revalidated' | 'fetched' | 'stale'): string {
  return outcome === 'fresh' ? 'hit' : outcome === 'fetched' ? 'miss' : outcome;
}
