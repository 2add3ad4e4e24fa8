import { createHash, randomBytes } from 'node:crypto';

/** Every stored key starts so; the bootstrap key and strangers' strings never reach the store. */
export const API_KEY_PREFIX = 'sfk_';

/** A new key: the prefix and 256 random bits, base64url (docs/security.md#api-keys). */
export function newApiKeySecret(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * What is stored instead of the key: its SHA-256. A key holds 256 random bits, so a fast hash
 * is enough (no password stretching needed) and lets the store look it up by an index.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
