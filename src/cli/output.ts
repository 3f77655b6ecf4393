import type { CliContext } from './context.js';

/**
 * Everything a command prints goes through here: results to stdout (JSON with
 * --json), progress and notices to stderr (silenced by -q), colour and
 * spinners only on a TTY and never with NO_COLOR / --no-color.
 */

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A result line on stdout. */
export function print(ctx: CliContext, line = ''): void {
  ctx.stdout.write(`${line}\n`);
}

/** A notice on stderr; dropped with -q. */
export function notice(ctx: CliContext, line: string): void {
  if (!ctx.quiet) ctx.stderr.write(`${line}\n`);
}

/** A warning on stderr; kept even with -q. */
export function warn(ctx: CliContext, line: string): void {
  ctx.stderr.write(`${paint(ctx, 'yellow', 'warning:')} ${line}\n`);
}

const codes = { red: 31, green: 32, yellow: 33, blue: 34, dim: 2, bold: 1 } as const;
export type Colour = keyof typeof codes;

export function paint(ctx: Pick<CliContext, 'color'>, colour: Colour, text: string): string {
  return ctx.color ? `\u001b[${codes[colour]}m${text}\u001b[0m` : text;
}

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

const marks: Record<CheckStatus, [string, Colour]> = {
  ok: ['✓', 'green'],
  warn: ['!', 'yellow'],
  fail: ['✗', 'red'],
  skip: ['-', 'dim'],
};

export function mark(ctx: Pick<CliContext, 'color'>, status: CheckStatus): string {
  const [symbol, colour] = marks[status];
  return paint(ctx, colour, symbol);
}

/** Left-aligned columns, for `list` commands. */
export function table(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '))
    .join('\n');
}

export interface Spinner {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

/** An ora spinner on a TTY; plain progress lines when piped; nothing with -q or --json. */
export async function spinner(ctx: CliContext, text: string): Promise<Spinner> {
  if (ctx.quiet || ctx.json) return { update() {}, succeed() {}, fail() {}, stop() {} };
  if (!ctx.stderr.isTTY) {
    ctx.stderr.write(`${text}\n`);
    return {
      update: (next) => ctx.stderr.write(`${next}\n`),
      succeed: (done) => done && ctx.stderr.write(`${done}\n`),
      fail: (done) => done && ctx.stderr.write(`${done}\n`),
      stop() {},
    };
  }
  const { default: ora } = await import('ora');
  const instance = ora({ text, stream: ctx.stderr, color: 'cyan', isEnabled: true }).start();
  return {
    update: (next) => {
      instance.text = next;
    },
    succeed: (done) => void instance.succeed(done),
    fail: (done) => void instance.fail(done),
    stop: () => void instance.stop(),
  };
}
