import { isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';

/** Maps a path in gateway.yaml to FILE:LINE:COL, and zod issues to plain words. */

export class Located {
  readonly #file: string;
  readonly #text: string;
  readonly #lines: LineCounter;
  readonly #doc: ReturnType<typeof parseDocument>;

  constructor(file: string, text: string) {
    this.#file = file;
    this.#text = text;
    this.#lines = new LineCounter();
    this.#doc = parseDocument(text, { lineCounter: this.#lines, prettyErrors: false, uniqueKeys: true });
  }

  get doc() {
    return this.#doc;
  }

  at(offset: number): string {
    const { line, col } = this.#lines.linePos(Math.min(offset, this.#text.length));
    return `${this.#file}:${line}:${col}`;
  }

  /** The node at `path`, or its nearest existing ancestor. */
  node(path: readonly PropertyKey[]): { node: Node | undefined; exact: boolean } {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? this.#doc.contents : this.#doc.getIn(path.slice(0, depth) as unknown[], true);
      if (node && typeof node === 'object' && 'range' in node) {
        return { node: node as Node, exact: depth === path.length };
      }
    }
    return { node: undefined, exact: false };
  }

  where(path: readonly PropertyKey[], key?: string): string {
    const { node } = this.node(path);
    if (key !== undefined && node && isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
      const range = (pair?.key as Node | undefined)?.range;
      if (range) return this.at(range[0]);
    }
    return this.at(node?.range?.[0] ?? 0);
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(top level)';
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `"${value}"`;
  return String(value);
}

export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

export function explain(issue: z.core.$ZodIssue, raw: unknown): string {
  const value = valueAt(raw, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'is required';
      return `expected ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a map' : issue.expected}, got ${describe(value)}`;
    case 'too_small':
      if (issue.origin === 'array') return `needs at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be at least ${issue.minimum}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(value)}`;
    case 'invalid_union':
      if (issue.path.at(-1) === 'type') return `is not a known type: ${describe(value)}`;
      return `has an unexpected value: ${describe(value)}`;
    default:
      return issue.message;
  }
}
