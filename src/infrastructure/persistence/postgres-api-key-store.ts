import { sql, type Kysely } from 'kysely';
import type { ActorRole } from '../../application/actor.js';
import type { ApiKeyRecord, ApiKeyStore } from '../../application/ports/api-key-store.js';
import type { RateBudget } from '../../application/rate-budget.js';
import { toDate } from './run-rows.js';

interface ApiKeyRow {
  id: string;
  namespace: string;
  name: string;
  roles: ActorRole[];
  namespaces: string[] | '*';
  expires_at: Date | string | null;
  rate_limit: RateBudget | null;
  created_by: string;
  created_at: Date | string;
  last_used_at: Date | string | null;
  revoked_at: Date | string | null;
}

const COLUMNS = sql.raw(
  'id, namespace, name, roles, namespaces, expires_at, rate_limit, created_by, created_at, last_used_at, revoked_at',
);

/** API keys in PostgreSQL (`api_keys`), looked up by the unique index on `key_hash`. */
export class PostgresApiKeyStore implements ApiKeyStore {
  constructor(private readonly db: () => Kysely<unknown>) {}

  async insert(record: ApiKeyRecord, keyHash: string): Promise<void> {
    await sql`insert into api_keys (id, namespace, name, key_hash, roles, namespaces, expires_at, rate_limit,
        created_by, created_at)
      values (${record.id}::uuid, ${record.namespace}, ${record.name}, ${keyHash},
        ${JSON.stringify(record.roles)}::jsonb, ${JSON.stringify(record.namespaces)}::jsonb,
        ${record.expiresAt?.toISOString() ?? null}::timestamptz,
        ${record.rateLimit === null ? null : JSON.stringify(record.rateLimit)}::jsonb,
        ${record.createdBy}, ${record.createdAt.toISOString()}::timestamptz)`.execute(this.db());
  }

  async list(namespace: string): Promise<ApiKeyRecord[]> {
    const rows = await sql<ApiKeyRow>`select ${COLUMNS} from api_keys
      where namespace = ${namespace} and revoked_at is null
      order by created_at desc, id desc`.execute(this.db());
    return rows.rows.map(toRecord);
  }

  async revoke(namespace: string, id: string, at: Date): Promise<boolean> {
    const result = await sql`update api_keys set revoked_at = ${at.toISOString()}::timestamptz
      where id = ${id}::uuid and namespace = ${namespace} and revoked_at is null`.execute(this.db());
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const rows = await sql<ApiKeyRow>`select ${COLUMNS} from api_keys where key_hash = ${keyHash}`.execute(
      this.db(),
    );
    return rows.rows[0] ? toRecord(rows.rows[0]) : null;
  }

  async touch(id: string, at: Date, unlessAfter: Date): Promise<void> {
    await sql`update api_keys set last_used_at = ${at.toISOString()}::timestamptz
      where id = ${id}::uuid
        and (last_used_at is null or last_used_at <= ${unlessAfter.toISOString()}::timestamptz)`.execute(
      this.db(),
    );
  }
}

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    namespace: row.namespace,
    name: row.name,
    roles: row.roles,
    namespaces: row.namespaces,
    expiresAt: toDate(row.expires_at),
    rateLimit: row.rate_limit,
    createdBy: row.created_by,
    createdAt: toDate(row.created_at)!,
    lastUsedAt: toDate(row.last_used_at),
    revokedAt: toDate(row.revoked_at),
  };
}
