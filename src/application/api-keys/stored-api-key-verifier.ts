import type { ApiKeyStore } from '../ports/api-key-store.js';
import type { Clock } from '../ports/clock.js';
import {
  refused,
  type CredentialVerifier,
  type PresentedCredential,
  type Verification,
} from '../ports/credential-verifier.js';
import { API_KEY_PREFIX, hashApiKey } from './api-key-secret.js';

/** `lastUsedAt` is written at most once per this long per key, not on every request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * API keys created through `POST /v1/api-keys`, looked up by their hash on every request, so a
 * revocation holds from the next request on, on every api instance (docs/security.md#api-keys).
 */
export class StoredApiKeyVerifier implements CredentialVerifier {
  constructor(
    private readonly keys: ApiKeyStore,
    private readonly clock: Clock,
  ) {}

  async verify(credential: PresentedCredential): Promise<Verification> {
    if (credential.kind !== 'api-key' || !credential.key.startsWith(API_KEY_PREFIX)) {
      return refused('unknown API key');
    }
    const record = await this.keys.findByHash(hashApiKey(credential.key));
    if (record === null) return refused('unknown API key');
    if (record.revokedAt !== null) return refused('the API key was revoked');
    const now = this.clock.now();
    if (record.expiresAt !== null && record.expiresAt <= now) return refused('the API key has expired');
    const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
    if (record.lastUsedAt === null || record.lastUsedAt <= stale)
      await this.keys.touch(record.id, now, stale);
    return {
      ok: true,
      principal: {
        id: `api-key:${record.id}`,
        roles: record.roles,
        namespaces: record.namespaces,
        ...(record.expiresAt ? { expiresAt: Math.floor(record.expiresAt.getTime() / 1000) } : {}),
        ...(record.rateLimit ? { rateLimit: record.rateLimit } : {}),
      },
    };
  }
}
