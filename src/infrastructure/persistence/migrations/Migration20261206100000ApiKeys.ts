import { Migration } from '@mikro-orm/migrations';

/**
 * Stored API keys (docs/security.md#api-keys): only the SHA-256 of a key is kept, never the key.
 * A key belongs to the namespace it was created in (lists and revocation look there only) and
 * grants `namespaces`. Revoked keys keep their row, so who had which key stays on record.
 */
export class Migration20261206100000ApiKeys extends Migration {
  override name = 'Migration20261206100000ApiKeys';

  override up(): void {
    this.addSql(`
      create table api_keys (
        id uuid primary key,
        namespace text not null,
        name text not null,
        key_hash text not null unique,
        roles jsonb not null,
        namespaces jsonb not null,
        expires_at timestamptz,
        rate_limit jsonb,
        created_by text not null,
        created_at timestamptz not null,
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    this.addSql('create index api_keys_namespace_idx on api_keys (namespace, created_at desc, id desc)');
  }

  override down(): void {
    this.addSql('drop table if exists api_keys');
  }
}
