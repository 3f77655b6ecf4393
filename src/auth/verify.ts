import { createLocalJWKSet, decodeProtectedHeader, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { LlmcError } from '../errors.js';
import { type DiscoveryOptions, type JwksDocument, loadJwks } from './discovery.js';
import { verificationFailureCounter } from './metrics.js';

/**
 * id_token verification with jose, independent of how the token arrived:
 * signature against the issuer's JWKS (asymmetric algorithms only — never
 * `none`, never HMAC, so a public key can never be used as a shared secret),
 * then `iss`, `aud`, `azp`, `exp`, `iat`, `nonce`, with 60 s leeway.
 */

export const ALLOWED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

export const LEEWAY_S = 60;

export type VerifyFailure =
  | 'malformed'
  | 'alg'
  | 'kid'
  | 'signature'
  | 'iss'
  | 'aud'
  | 'azp'
  | 'exp'
  | 'iat'
  | 'nonce'
  | 'sub';

export interface VerifyExpectations {
  issuer: string;
  clientId: string;
  /** Required on login; a refreshed id_token need not carry one. */
  nonce?: string | undefined;
  /** On refresh: the subject must not change. */
  subject?: string | undefined;
  /** Algorithms the IdP advertises; intersected with the allow-list. */
  advertisedAlgorithms?: string[] | undefined;
  now?: number | undefined;
}

export interface IdTokenClaims extends JWTPayload {
  sub: string;
  iss: string;
  exp: number;
  iat: number;
  nonce?: string;
  azp?: string;
  email?: string;
  [claim: string]: unknown;
}

const reasonText: Record<VerifyFailure, string> = {
  malformed: 'it is not a well-formed JWT',
  alg: 'its signing algorithm is not allowed',
  kid: 'it is signed with a key the IdP does not publish',
  signature: 'its signature does not verify',
  iss: 'it was issued by a different issuer',
  aud: 'it is meant for a different client (aud)',
  azp: 'its authorized party (azp) is a different client',
  exp: 'it has expired',
  iat: 'its issue time (iat) is in the future',
  nonce: 'its nonce does not match this login',
  sub: 'it names a different user than the stored login',
};

export function verifyError(reason: VerifyFailure, detail?: string, cause?: unknown): LlmcError {
  verificationFailureCounter().inc({ reason });
  return new LlmcError(
    'ERR_OIDC_VERIFY',
    `the IdP's id_token was rejected: ${reasonText[reason]}${detail ? ` (${detail})` : ''}`,
    {
      hint:
        reason === 'exp' || reason === 'iat'
          ? "check this machine's clock (`llmc doctor`), then run llmc auth login again"
          : 'nothing was saved; check the provider settings (issuer, client id) or report this to your IdP admin',
      cause,
    },
  );
}

export function allowedAlgorithms(advertised?: string[]): string[] {
  const allowed: string[] = [...ALLOWED_ALGORITHMS];
  if (!advertised || advertised.length === 0) return allowed;
  const both = advertised.filter((alg) => allowed.includes(alg));
  return both.length > 0 ? both : allowed;
}

type KeyLoader = (unknownKid: boolean) => Promise<{ jwks: JwksDocument; refetched: boolean }>;

export function jwksLoader(jwksUri: string | undefined, options: DiscoveryOptions): KeyLoader {
  return async (unknownKid) => {
    if (!jwksUri) {
      throw new LlmcError('ERR_OIDC_DISCOVERY', 'the IdP publishes no jwks_uri, so its id_tokens cannot be verified', {
        hint: 'set jwks_uri for this provider in config.json oidc_providers',
      });
    }
    return loadJwks(jwksUri, { ...options, unknownKid });
  };
}

export async function verifyIdToken(
  idToken: string,
  expected: VerifyExpectations,
  keys: KeyLoader,
): Promise<IdTokenClaims> {
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(idToken).alg;
  } catch (error) {
    throw verifyError('malformed', undefined, error);
  }
  const algorithms = allowedAlgorithms(expected.advertisedAlgorithms);
  if (!alg || !algorithms.includes(alg)) throw verifyError('alg', `alg ${JSON.stringify(alg ?? null)}`);
  const now = expected.now ?? Date.now();
  const options = {
    algorithms,
    issuer: expected.issuer,
    audience: expected.clientId,
    clockTolerance: LEEWAY_S,
    currentDate: new Date(now),
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
  };
  let payload: JWTPayload;
  try {
    payload = await verifyWith(idToken, options, await keys(false));
  } catch (error) {
    if (!(error instanceof joseErrors.JWKSNoMatchingKey)) throw mapJoseError(error);
    const again = await keys(true);
    if (!again.refetched) throw verifyError('kid', 'and the key set was refreshed less than a minute ago');
    try {
      payload = await verifyWith(idToken, options, again);
    } catch (inner) {
      throw inner instanceof joseErrors.JWKSNoMatchingKey ? verifyError('kid', undefined, inner) : mapJoseError(inner);
    }
  }
  const claims = payload as IdTokenClaims;
  if (typeof claims.sub !== 'string' || claims.sub === '') throw verifyError('malformed', 'no sub');
  if (claims.iat > Math.floor(now / 1000) + LEEWAY_S) throw verifyError('iat');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if ((audiences.length > 1 || claims.azp !== undefined) && claims.azp !== expected.clientId) {
    throw verifyError('azp');
  }
  if (expected.nonce !== undefined && claims.nonce !== expected.nonce) throw verifyError('nonce');
  if (expected.subject !== undefined && claims.sub !== expected.subject) throw verifyError('sub');
  return claims;
}

async function verifyWith(
  idToken: string,
  options: Parameters<typeof jwtVerify>[2],
  loaded: { jwks: JwksDocument },
): Promise<JWTPayload> {
  const keySet = createLocalJWKSet(loaded.jwks as Parameters<typeof createLocalJWKSet>[0]);
  const { payload } = await jwtVerify(idToken, keySet, options);
  return payload;
}

function mapJoseError(error: unknown): LlmcError {
  if (error instanceof LlmcError) return error;
  if (error instanceof joseErrors.JWTExpired) return verifyError('exp', undefined, error);
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    const claim = error.claim as VerifyFailure;
    if (claim === 'iss' || claim === 'aud' || claim === 'iat' || claim === 'exp')
      return verifyError(claim, undefined, error);
    return verifyError('malformed', `claim ${error.claim}: ${error.reason}`, error);
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return verifyError('signature', undefined, error);
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return verifyError('alg', undefined, error);
  if (error instanceof joseErrors.JWKSMultipleMatchingKeys) return verifyError('kid', 'several keys match', error);
  return verifyError('malformed', (error as Error).message, error);
}
