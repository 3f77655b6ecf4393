/** Dotted key paths (`providers.local.base_url`) over plain JSON objects. */

export function splitKey(key: string): string[] {
  const segments = key.split('.');
  if (key.trim() === '' || segments.some((segment) => segment === '')) return [];
  return segments;
}

type Json = Record<string, unknown>;

/** A plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function getPath(root: unknown, segments: readonly string[]): unknown {
  let current: unknown = root;
  for (const segment of segments) {
    if (!isObject(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/** A copy of `root` with `value` at `segments` (intermediate objects created). */
export function withPath(root: Json, segments: readonly string[], value: unknown): Json {
  const [head, ...rest] = segments;
  if (head === undefined) throw new Error('empty key path');
  const copy: Json = { ...root };
  if (rest.length === 0) copy[head] = value;
  else copy[head] = withPath(isObject(root[head]) ? (root[head] as Json) : {}, rest, value);
  return copy;
}

/** A copy of `root` without the key at `segments`; empty parents are pruned. */
export function withoutPath(root: Json, segments: readonly string[]): Json {
  const [head, ...rest] = segments;
  if (head === undefined || !Object.hasOwn(root, head)) return root;
  const copy: Json = { ...root };
  if (rest.length === 0) {
    delete copy[head];
    return copy;
  }
  const child = root[head];
  if (!isObject(child)) return root;
  const next = withoutPath(child, rest);
  if (Object.keys(next).length === 0) delete copy[head];
  else copy[head] = next;
  return copy;
}

/** `[["providers.local.base_url", "http://…"], …]` for every leaf. */
export function flatten(root: unknown, prefix = ''): Array<[string, unknown]> {
  if (!isObject(root)) return prefix ? [[prefix, root]] : [];
  const rows: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(root)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isObject(value) && Object.keys(value).length > 0) rows.push(...flatten(value, path));
    else rows.push([path, value]);
  }
  return rows;
}
