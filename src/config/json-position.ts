/**
 * JSON.parse's messages do not always carry a position ("Unexpected end of
 * JSON input", "Unexpected token 'x', ... is not valid JSON"). This scanner
 * finds the offset of the first syntax error so errors can name line:column.
 */
export interface JsonErrorPosition {
  offset: number;
  line: number;
  column: number;
  reason: string;
}

export function parseJsonWithPosition(
  text: string,
): { ok: true; value: unknown } | { ok: false; error: JsonErrorPosition } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    const { offset, reason } = locate(text);
    return { ok: false, error: { offset, reason, ...lineColumn(text, offset) } };
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class Fail extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function locate(text: string): { offset: number; reason: string } {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const expect = (what: string) => {
    if (i >= text.length) throw new Fail(i, `unexpected end of file, expected ${what}`);
    throw new Fail(i, `unexpected ${JSON.stringify(text[i])}, expected ${what}`);
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else expect(`"${word}"`);
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Fail(i, 'bad \\u escape');
          i += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else throw new Fail(i, 'bad escape');
        continue;
      }
      if (c.charCodeAt(0) < 0x20) throw new Fail(i, 'control character in string');
      i++;
    }
    throw new Fail(i, 'unterminated string');
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match || match[0] === '' || match[0] === '-') expect('a value');
    i += (match as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') expect('a property name in double quotes');
        string();
        ws();
        if (text[i] !== ':') expect('":"');
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        expect('"," or "}"');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        expect('"," or "]"');
      }
    }
    if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else number();
  };
  try {
    value();
    ws();
    if (i < text.length) expect('end of file');
    return { offset: 0, reason: 'invalid JSON' };
  } catch (error) {
    if (error instanceof Fail) return { offset: error.offset, reason: error.reason };
    throw error;
  }
}
