import { envProvider } from './env.js';
import { execProvider } from './exec.js';
import { fileProvider } from './file.js';
import { keychainProvider } from './keychain.js';
import type { SecretRef, SecretScheme, SecretsProvider } from './types.js';

const schemes = new Set<SecretScheme>(['env', 'file', 'keychain', 'exec']);

/** `env:X` → {env, X}; anything without a known scheme is a literal. */
export function parseSecretRef(ref: string): SecretRef {
  const colon = ref.indexOf(':');
  const scheme = ref.slice(0, colon) as SecretScheme;
  if (colon > 0 && schemes.has(scheme)) return { scheme, target: ref.slice(colon + 1) };
  return { scheme: 'literal', target: ref };
}

export interface SecretResolverOptions {
  providers?: SecretsProvider[];
  /** Called once per distinct literal secret: literals belong in a reference, not a config file. */
  onLiteral?: (where: string) => void;
}

interface Entry {
  value: Promise<string>;
  expiresAt: number;
  unwatch?: (() => void) | undefined;
}

/**
 * Resolves secret references through one provider per scheme, caching each
 * value for its provider's TTL and dropping it as soon as a watched source
 * changes, so a rotated key is used without a restart.
 */
export class SecretResolver {
  readonly #providers = new Map<SecretScheme, SecretsProvider>();
  readonly #cache = new Map<string, Entry>();
  readonly #warned = new Set<string>();
  readonly #onLiteral: ((where: string) => void) | undefined;

  constructor(options: SecretResolverOptions = {}) {
    const providers = options.providers ?? [envProvider(), fileProvider(), keychainProvider(), execProvider()];
    for (const provider of providers) this.#providers.set(provider.scheme, provider);
    this.#onLiteral = options.onLiteral;
  }

  /** `where` names the setting in warnings (e.g. `providers.openai.api_key`); it never holds the secret. */
  async resolve(ref: string, where = 'a setting'): Promise<string> {
    const parsed = parseSecretRef(ref);
    if (parsed.scheme === 'literal') {
      if (!this.#warned.has(where)) {
        this.#warned.add(where);
        this.#onLiteral?.(where);
      }
      return parsed.target;
    }
    const provider = this.#providers.get(parsed.scheme);
    if (!provider) return parsed.target;
    const now = Date.now();
    const cached = this.#cache.get(ref);
    if (cached && cached.expiresAt > now) return cached.value;
    cached?.unwatch?.();
    const entry: Entry = { value: provider.resolve(parsed.target), expiresAt: now + provider.ttlMs };
    entry.unwatch = provider.watch?.(parsed.target, () => this.invalidate(ref));
    this.#cache.set(ref, entry);
    entry.value.catch(() => {
      if (this.#cache.get(ref) === entry) this.invalidate(ref);
    });
    return entry.value;
  }

  invalidate(ref: string): void {
    const entry = this.#cache.get(ref);
    entry?.unwatch?.();
    this.#cache.delete(ref);
  }

  close(): void {
    for (const ref of [...this.#cache.keys()]) this.invalidate(ref);
  }
}
