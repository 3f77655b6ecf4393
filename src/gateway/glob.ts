/**
 * Globs for policies and scopes: `*` matches any run of characters (also
 * `/`), everything else is literal, the whole string must match. Compiled
 * patterns are cached: the same few patterns are matched on every request.
 */

const compiled = new Map<string, RegExp>();
const MAX_CACHED = 4096;

function compile(pattern: string): RegExp {
  let regexp = compiled.get(pattern);
  if (!regexp) {
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    regexp = new RegExp(`^${source}$`, 's');
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(pattern, regexp);
  }
  return regexp;
}

export function globMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === value;
  return compile(pattern).test(value);
}

export function matchesAny(patterns: readonly string[], value: string): boolean {
  for (const pattern of patterns) if (globMatch(pattern, value)) return true;
  return false;
}

/**
 * Whether every name `requested` can match is also matched by `allowed`.
 * Sound, not complete: it reads the stars of `requested` as literal
 * characters, so each of them must fall inside a star of `allowed`, which
 * then absorbs whatever that star stands for. A request it cannot prove
 * narrower is treated as wider.
 */
export function globCovers(allowed: string, requested: string): boolean {
  return globMatch(allowed, requested);
}
