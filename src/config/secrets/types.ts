/** Where a secret reference points (ARCHITECTURE §8). */
export type SecretScheme = 'env' | 'file' | 'keychain' | 'exec' | 'literal';

export interface SecretRef {
  scheme: SecretScheme;
  /** The part after `scheme:` (the whole string for a literal). */
  target: string;
}

/**
 * One implementation per source. `resolve` returns the current value; `watch`
 * (where the source can be watched) reports a change so caches drop it at once.
 */
export interface SecretsProvider {
  readonly scheme: SecretScheme;
  /** How long a resolved value may be reused before asking the source again. */
  readonly ttlMs: number;
  resolve(target: string): Promise<string>;
  watch?(target: string, onChange: () => void): () => void;
}
