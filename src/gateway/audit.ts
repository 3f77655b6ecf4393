import { createWriteStream } from 'node:fs';
import { redactCredentials } from '../observability/redact.js';
import type { Scopes } from './scopes.js';

/**
 * Audit trail of every token's life as JSON lines (RFC-0043's events):
 * who (iss, sub, email), which token (jti — never the token or the
 * id_token), what it may do, from where, when, and for refusals a reason
 * code that is never sent to the client.
 */

export type AuditEventName =
  | 'token.issued'
  | 'token.used'
  | 'token.expired'
  | 'token.revoked'
  | 'token.denied'
  | 'token.invalid';

export interface AuditEvent {
  event: AuditEventName;
  identity?: { iss: string; sub: string; email?: string | undefined } | undefined;
  jti?: string | undefined;
  scope?: string | undefined;
  scopes?: Scopes | undefined;
  client_ip?: string | undefined;
  /** Internal reason code (refusals, revocations). */
  reason?: string | undefined;
  /** HTTP status the caller got, where there was one. */
  status?: number | undefined;
  expires_at?: string | undefined;
}

export interface AuditLog {
  emit(event: AuditEvent): void;
  close(): Promise<void>;
}

export interface AuditWriter {
  write(line: string): unknown;
  end?(callback?: () => void): unknown;
}

/** JSON lines to a stream (stdout by default) or a 0600 file. */
export function createAuditLog(
  options: {
    writer?: AuditWriter | undefined;
    file?: string | undefined;
    clock?: () => number;
    /** A failed write to the file (disk full, …); without a listener the stream's error would end the process. */
    onError?: ((error: unknown) => void) | undefined;
  } = {},
): AuditLog {
  const clock = options.clock ?? Date.now;
  let writer: AuditWriter = process.stdout;
  if (options.writer) writer = options.writer;
  else if (options.file) {
    const stream = createWriteStream(options.file, { flags: 'a', mode: 0o600 });
    stream.on('error', (error) => options.onError?.(error));
    writer = stream;
  }
  const ownsWriter = options.writer === undefined && options.file !== undefined;
  return {
    emit(event) {
      const line = JSON.stringify({ ...event, timestamp: new Date(clock()).toISOString() });
      // Events are built from fields that never hold a credential; this is the backstop.
      writer.write(`${redactCredentials(line)}\n`);
    },
    close() {
      if (!ownsWriter || !writer.end) return Promise.resolve();
      return new Promise((resolve) => writer.end?.(() => resolve()));
    },
  };
}

/** Collects events in memory (tests, the bench). */
export function memoryAuditLog(): AuditLog & { events: Array<AuditEvent & { timestamp: string }> } {
  const events: Array<AuditEvent & { timestamp: string }> = [];
  return {
    events,
    emit(event) {
      events.push({ ...event, timestamp: new Date().toISOString() });
    },
    async close() {},
  };
}

export function nullAuditLog(): AuditLog {
  return { emit() {}, async close() {} };
}
