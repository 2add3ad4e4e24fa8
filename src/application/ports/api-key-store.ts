import type { ActorRole } from '../actor.js';
import type { RateBudget } from '../rate-budget.js';

export const API_KEY_STORE = Symbol('ApiKeyStore');

/** A stored API key, without its secret (docs/security.md#api-keys). */
export interface ApiKeyRecord {
  readonly id: string;
  /** The namespace it was created in: where it is listed and revoked. */
  readonly namespace: string;
  readonly name: string;
  readonly roles: readonly ActorRole[];
  /** The namespaces it grants; `'*'` grants every one. */
  readonly namespaces: readonly string[] | '*';
  readonly expiresAt: Date | null;
  readonly rateLimit: RateBudget | null;
  /** The principal that created it. */
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** API keys by the SHA-256 of their secret; every listing and revocation is of one namespace. */
export interface ApiKeyStore {
  insert(record: ApiKeyRecord, keyHash: string): Promise<void>;
  /** Keys of `namespace` not revoked, newest first. */
  list(namespace: string): Promise<ApiKeyRecord[]>;
  /** False when `namespace` holds no such key, or it was revoked already. */
  revoke(namespace: string, id: string, at: Date): Promise<boolean>;
  findByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  /** Sets `lastUsedAt` to `at` unless it is already later than `unlessAfter` (one write a minute). */
  touch(id: string, at: Date, unlessAfter: Date): Promise<void>;
}
