import { createWriteStream, type WriteStream } from 'node:fs';
import pino, { type Bindings, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { redact, redactString } from './redact.js';

export type { Logger } from 'pino';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LoggerSetup {
  level?: LogLevel;
  /** JSON lines appended here (0600). */
  file?: string;
  /** Any writable stream instead of a file (tests, stderr). */
  destination?: DestinationStream | NodeJS.WritableStream;
  /** Human-readable lines (pino-pretty) — for a TTY. Defaults to whether the destination is a TTY. */
  pretty?: boolean;
  name?: string;
  base?: Record<string, unknown>;
}

/**
 * The one logger factory. Every object and message passes through `redact`
 * before serialisation, so no token shape from ARCHITECTURE §8 can reach a
 * log line however it is nested (headers, URLs, error messages, causes).
 */
export function createLogger(setup: LoggerSetup = {}): Logger {
  const destination = resolveDestination(setup);
  const pretty = setup.pretty ?? (destination === process.stderr && process.stderr.isTTY === true);
  const options: LoggerOptions = {
    level: setup.level ?? 'info',
    base: { pid: process.pid, ...(setup.name ? { name: setup.name } : {}), ...setup.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => redact(bindings) as Record<string, unknown>,
      log: (object) => redact(object) as Record<string, unknown>,
    },
    serializers: {
      err: (error: unknown) => redact(error),
      error: (error: unknown) => redact(error),
      // The final message, also when pino takes it from an error's message.
      msg: (message: unknown) => (typeof message === 'string' ? redactString(message) : message),
    },
    hooks: {
      logMethod(args, method) {
        // The first argument is the merge object (redacted by formatters.log) or the
        // message; the rest are interpolated into the message (%s, %o, %j).
        const cleaned = args.map((arg, index) =>
          typeof arg === 'string' ? redactString(arg) : index === 0 ? arg : redact(arg),
        );
        method.apply(this, cleaned as Parameters<typeof method>);
      },
    },
  };
  const logger = pino(options, pretty ? prettyStream(destination) : (destination as DestinationStream));
  // formatters.bindings covers only the root's base: pino resets it for children.
  // Children inherit this method, so grandchildren's bindings are redacted too.
  const child = logger.child;
  (logger as { child: unknown }).child = function (this: Logger, bindings: Bindings, ...rest: unknown[]) {
    return Reflect.apply(child, this, [redact(bindings), ...rest]);
  };
  return logger;
}

function resolveDestination(setup: LoggerSetup): DestinationStream | NodeJS.WritableStream {
  if (setup.destination) return setup.destination;
  if (setup.file) {
    const stream: WriteStream = createWriteStream(setup.file, { flags: 'a', mode: 0o600 });
    return stream;
  }
  return process.stderr;
}

function prettyStream(destination: DestinationStream | NodeJS.WritableStream): DestinationStream {
  // pino-pretty is only loaded for a human on a TTY; JSON paths never pay for it.
  const require = createRequireOnce();
  const pinoPretty = require('pino-pretty') as (options: object) => DestinationStream;
  return pinoPretty({
    destination,
    colorize: !process.env.NO_COLOR,
    translateTime: 'HH:MM:ss',
    ignore: 'pid,hostname',
  });
}

let requireFn: NodeJS.Require | undefined;
function createRequireOnce(): NodeJS.Require {
  if (!requireFn) {
    requireFn = process.getBuiltinModule('node:module').createRequire(import.meta.url);
  }
  return requireFn;
}
