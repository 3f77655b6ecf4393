import { describe, expect, it } from 'vitest';
import { parseJsonWithPosition } from '../../../src/config/json-position.js';

describe('parseJsonWithPosition', () => {
  it.each([
    ['{"a": 1,}', 1, 9, 'property name'],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, '"," or "}"'],
    ['{"a": tru}', 1, 7, '"true"'],
    ['{"a": [1, 2}', 1, 12, '"," or "]"'],
    ['{"a": "x', 1, 9, 'unterminated string'],
    ['', 1, 1, 'a value'],
    ['{} x', 1, 4, 'end of file'],
    ['{"a": "\\q"}', 1, 8, 'bad escape'],
    ['{"a": 01}', 1, 8, '"," or "}"'],
  ])('locates the error in %j at %i:%i', (text, line, column, reason) => {
    const result = parseJsonWithPosition(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect({ line: result.error.line, column: result.error.column }).toEqual({ line, column });
    expect(result.error.reason).toContain(reason);
  });

  it('parses valid JSON', () => {
    expect(parseJsonWithPosition('{"a":[1,true,null,"x\\u0041"]}')).toEqual({
      ok: true,
      value: { a: [1, true, null, 'xA'] },
    });
  });
});
