export { envProvider } from './env.js';
export { execProvider } from './exec.js';
export { fileProvider } from './file.js';
export { keychainProvider } from './keychain.js';
export { parseSecretRef, SecretResolver, type SecretResolverOptions } from './resolver.js';
export type { SecretRef, SecretScheme, SecretsProvider } from './types.js';
