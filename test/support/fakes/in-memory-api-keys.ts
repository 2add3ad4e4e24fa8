import type { ApiKeyRecord, ApiKeyStore } from '../../../src/application/ports/api-key-store.js';

/** API keys in memory, with the rules of `PostgresApiKeyStore`: hashes unique, one namespace per list and revoke. */
export class InMemoryApiKeyStore implements ApiKeyStore {
  readonly rows = new Map<string, { record: ApiKeyRecord; keyHash: string }>();
  touches = 0;

  async insert(record: ApiKeyRecord, keyHash: string): Promise<void> {
    if ([...this.rows.values()].some((row) => row.keyHash === keyHash)) throw new Error('duplicate key_hash');
    this.rows.set(record.id, { record, keyHash });
  }

  async list(namespace: string): Promise<ApiKeyRecord[]> {
    return [...this.rows.values()]
      .map((row) => row.record)
      .filter((record) => record.namespace === namespace && record.revokedAt === null)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  async revoke(namespace: string, id: string, at: Date): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row.record.namespace !== namespace || row.record.revokedAt !== null) return false;
    row.record = { ...row.record, revokedAt: at };
    return true;
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    return [...this.rows.values()].find((row) => row.keyHash === keyHash)?.record ?? null;
  }

  async touch(id: string, at: Date, unlessAfter: Date): Promise<void> {
    const row = this.rows.get(id);
    if (!row || (row.record.lastUsedAt !== null && row.record.lastUsedAt > unlessAfter)) return;
    this.touches += 1;
    row.record = { ...row.record, lastUsedAt: at };
  }
}
