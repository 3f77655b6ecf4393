/**
 * One error type for the whole program. Every failure a user can see is an
 * LlmcError with a stable `code` (scripts switch on it), a `hint` (what to do
 * next) and an exit code taken from the one map below.
 */

export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  loginRequired: 3,
  denied: 4,
  unreachable: 5,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Every stable error code and the exit code it maps to. */
const codes = {
  ERR_INTERNAL: ExitCode.error,
  ERR_USAGE: ExitCode.usage,
  ERR_UNKNOWN_COMMAND: ExitCode.usage,
  ERR_UNKNOWN_OPTION: ExitCode.usage,
  ERR_INVALID_ARGUMENT: ExitCode.usage,
  ERR_NODE_VERSION: ExitCode.error,
  ERR_CONFIG_KEY: ExitCode.usage,
  ERR_CONFIG_VALUE: ExitCode.usage,
  ERR_CONFIG_CORRUPT: ExitCode.error,
  ERR_CONFIG_VERSION: ExitCode.error,
  ERR_HOME_PERMISSIONS: ExitCode.error,
  ERR_LOCK_TIMEOUT: ExitCode.error,
  ERR_FILE_CORRUPT: ExitCode.error,
  ERR_SECRET_REF: ExitCode.usage,
  ERR_SECRET_UNAVAILABLE: ExitCode.error,
  ERR_KEYCHAIN: ExitCode.error,
  ERR_EDITOR: ExitCode.error,
  ERR_LOGIN_REQUIRED: ExitCode.loginRequired,
  ERR_TOKEN_EXPIRED: ExitCode.loginRequired,
  ERR_LOGIN_TIMEOUT: ExitCode.loginRequired,
  ERR_LOGIN_DENIED: ExitCode.denied,
  ERR_LOGIN_FAILED: ExitCode.error,
  ERR_LOGIN_IN_PROGRESS: ExitCode.error,
  ERR_OIDC_DISCOVERY: ExitCode.error,
  ERR_OIDC_VERIFY: ExitCode.error,
  ERR_OIDC_PROTOCOL: ExitCode.error,
  ERR_INSECURE_ISSUER: ExitCode.usage,
  ERR_PROVIDER_UNKNOWN: ExitCode.usage,
  ERR_IDP_UNREACHABLE: ExitCode.unreachable,
  ERR_UPSTREAM_UNREACHABLE: ExitCode.unreachable,
  ERR_GATEWAY_UNREACHABLE: ExitCode.unreachable,
  ERR_GATEWAY_DENIED: ExitCode.denied,
  ERR_GATEWAY_REJECTED: ExitCode.error,
  ERR_GATEWAY_CONFIG: ExitCode.usage,
  ERR_GATEWAY_LISTEN: ExitCode.error,
  ERR_GATEWAY_NOT_FOUND: ExitCode.error,
  ERR_GATEWAY_ADMIN: ExitCode.usage,
  ERR_CI_TOKEN: ExitCode.error,
  ERR_DENIED: ExitCode.denied,
  ERR_INTERRUPTED: ExitCode.interrupted,
} as const satisfies Record<string, ExitCode>;

export type ErrorCode = keyof typeof codes;

export interface LlmcErrorOptions {
  hint?: string | undefined;
  exitCode?: ExitCode | undefined;
  cause?: unknown;
}

export class LlmcError extends Error {
  override readonly name = 'LlmcError';
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;

  constructor(code: ErrorCode, message: string, options: LlmcErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? codes[code];
  }
}

export function isLlmcError(value: unknown): value is LlmcError {
  return value instanceof LlmcError;
}

/** The exit code a stable error code maps to. */
export function exitCodeFor(code: ErrorCode): ExitCode {
  return codes[code];
}

/** Network failures that mean "could not reach it" rather than "it said no". */
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
]);

/**
 * True when `error` (or anything in its cause chain) is a connection failure,
 * or a request that got no answer in time (AbortSignal.timeout's TimeoutError).
 */
export function isUnreachable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && unreachableCodes.has(code)) return true;
    if ((current as { name?: unknown }).name === 'TimeoutError') return true;
    if (current instanceof AggregateError && current.errors.some(isUnreachable)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
