/**
 * Removes every secret shape of ARCHITECTURE §8 from anything about to be
 * logged: values under secret-looking keys, and secret-looking substrings
 * inside any string (bearer credentials, JWTs, mcpgw_/llmc_ keys, secret
 * query parameters in URLs, key=value pairs in messages).
 */

export const REDACTED = '[REDACTED]';

const secretKey =
  /^(authorization|proxy-authorization|code_verifier|assertion)$|api[-_]?key|passw(?:or)?d|passphrase|cookie|token|secret|credential|private[-_]?key/i;

/** Names whose value is secret when they appear as `name=value` or `name: value` in text. */
const secretName =
  '[A-Za-z_-]*(?:token|secret|password|passwd|api[-_]?key|apikey|code|code_verifier|assertion|signature|sig)[A-Za-z_-]*';

/** A value after `key=` / `key: `: a quoted string whole (spaces and all), else up to a delimiter. */
const quotedOrBare = String.raw`"(?:[^"\\]|\\.)*"|'[^'\r\n]*'`;

/** Keep the quotes of a quoted secret so JSON and quoted text stay well-formed. */
function hideValue(value: string): string {
  const quote = value[0];
  return quote === '"' || quote === "'" ? `${quote}${REDACTED}${quote}` : REDACTED;
}

/** Our own credential formats, and JWTs (id_tokens, access tokens): three base64url segments starting with {"… */
const ownCredential = /\b(mcpgw|llmc)_[A-Za-z0-9_-]{8,}/g;
const jwt = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

/**
 * Only the unambiguous credential shapes (mcpgw_/llmc_ keys, JWTs), for text
 * such as audit lines whose identities (`repo:org/code-x:ref:…`) the general
 * patterns of `redactString` would mangle.
 */
export function redactCredentials(text: string): string {
  return text.replace(ownCredential, REDACTED).replace(jwt, REDACTED);
}

const patterns: Array<[RegExp, string | ((match: string, ...groups: string[]) => string)]> = [
  [ownCredential, `$1_${REDACTED}`],
  [jwt, REDACTED],
  // Authorization header values however they appear. `Token` only capitalised and with a digit in
  // the value, and never a value starting with "-": prose says "auth token --gateway", "token stored".
  [/\b([Bb]earer|[Bb]asic)\s+(?!-)[A-Za-z0-9._~+/=-]{6,}/g, `$1 ${REDACTED}`],
  [/\bToken\s+(?!-)(?=[A-Za-z0-9._~+/=-]*\d)[A-Za-z0-9._~+/=-]{6,}/g, `Token ${REDACTED}`],
  // Authorization (any scheme: Digest, Negotiate, …) and cookie headers written out: the whole value.
  [
    new RegExp(
      String.raw`\b((?:proxy-)?authorization|(?:set-)?cookie)("?\s*[:=]\s*)(${quotedOrBare}|(?:[^\r\n"]|"[^"\r\n]*")+)`,
      'gi',
    ),
    (_match, name, separator, value) => `${name}${separator}${hideValue(value as string)}`,
  ],
  // Secret query/form parameters (key=value) and quoted values in text (JSON, quoted YAML).
  [
    new RegExp(String.raw`\b(${secretName})(=|"?\s*:\s*(?=["']))(${quotedOrBare}|[^&\s"',;}]+)`, 'gi'),
    (_match, name, separator, value) => `${name}${separator}${hideValue(value as string)}`,
  ],
  // Unquoted `key: value` in text is mostly prose ("id-token: write", "token_type: Bearer",
  // "api_key: env:VAR"): redact it only when the value looks like a credential — 8+ characters
  // with a digit, and not a secret reference.
  [
    new RegExp(
      String.raw`\b(${secretName})(\s*:\s*)(?!(?:env|file|keychain|exec):)(?=[^\s"',;}]*\d)([^\s"',;}]{8,})`,
      'gi',
    ),
    (_match, name, separator) => `${name}${separator}${REDACTED}`,
  ],
  // Provider key shapes (OpenAI, Anthropic, Google, GitHub, Slack, AWS).
  [
    /\b(sk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{30,}|gh[pousr]_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|ya29\.[A-Za-z0-9_-]{10,})/g,
    REDACTED,
  ],
  // Credentials inside URLs: https://user:pass@host, redis://:pass@host, https://TOKEN@host
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]+@/gi, `$1${REDACTED}@`],
];

export function redactString(text: string): string {
  let out = text;
  for (const [pattern, replacement] of patterns) {
    out = typeof replacement === 'string' ? out.replace(pattern, replacement) : out.replace(pattern, replacement);
  }
  return out;
}

export function isSecretKey(key: string): boolean {
  return secretKey.test(key);
}

/** A deep copy of `value` with every secret removed; cycles and depth are bounded. */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth > 12) return '[Truncated]';
  seen.add(value);
  if (value instanceof Error) {
    const out: Record<string, unknown> = {
      type: value.name,
      message: redactString(value.message),
    };
    if (value.stack) out.stack = redactString(value.stack);
    for (const [key, inner] of Object.entries(value)) {
      out[key] = isSecretKey(key) ? REDACTED : redact(inner, depth + 1, seen);
    }
    if (value.cause !== undefined) out.cause = redact(value.cause, depth + 1, seen);
    return out;
  }
  if (value instanceof URL) return redactString(value.href);
  // Bytes (Buffer, Uint8Array, ArrayBuffer) would otherwise log as arrays of numbers — a secret, encoded.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[binary ${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
  if (value instanceof Map) return redact(Object.fromEntries(value), depth + 1, seen);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function' && !(value instanceof Date)) {
    return redact((value as { toJSON(): unknown }).toJSON(), depth + 1, seen);
  }
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of headerEntries(value)) {
    out[key] =
      isSecretKey(key) && inner !== undefined && inner !== null && inner !== ''
        ? REDACTED
        : redact(inner, depth + 1, seen);
  }
  return out;
}

/** Fetch `Headers` iterate instead of exposing own properties. */
function headerEntries(value: object): Iterable<[string, unknown]> {
  if (typeof (value as Headers).entries === 'function' && typeof (value as Headers).get === 'function') {
    return (value as Headers).entries();
  }
  return Object.entries(value);
}
