/**
 * Globs for policies and scopes: `*` matches any run of characters (also
 * `/`), everything else is literal, the whole string must match. Matched by
 * the two-pointer wildcard walk, which backtracks only to the last `*`: at
 * most O(pattern × value) steps, where a regular expression with many stars
 * can backtrack for minutes on a crafted value (patterns can come from a
 * client's requested scope, values from an id_token).
 */
export function globMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === value;
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = v;
    } else if (p < pattern.length && pattern[p] === value[v]) {
      p++;
      v++;
    } else if (star !== -1) {
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
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
