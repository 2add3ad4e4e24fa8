import { Migration } from '@mikro-orm/migrations';
import { insertRunsFunction } from './save-functions.js';

/** Run list indexes, each led by the namespace: `[name, columns]`. */
const LIST_INDEXES = [
  ['runs_created_idx', 'created_at desc, id desc'],
  ['runs_definition_idx', 'definition_name, created_at desc, id desc'],
  ['runs_status_idx', 'status, created_at desc, id desc'],
  ['runs_definition_status_idx', 'definition_name, status, created_at desc, id desc'],
] as const;

/**
 * Namespaces (docs/contract.md#security-and-tenancy): definitions and runs belong to one.
 * Existing rows move to `default`; the column then has no default, so no write can forget it.
 * Definition names and idempotency keys become unique per namespace, and every run list index
 * is led by the namespace, so a list filtered by it still walks one index in order.
 */
export class Migration20261206000000Namespaces extends Migration {
  override name = 'Migration20261206000000Namespaces';

  override up(): void {
    for (const table of ['definitions', 'runs']) {
      this.addSql(`alter table ${table} add column namespace text not null default 'default'`);
      this.addSql(`alter table ${table} alter column namespace drop default`);
    }
    this.addSql('alter table definitions drop constraint definitions_pkey');
    this.addSql('alter table definitions add primary key (namespace, name, version)');
    this.addSql('alter table runs drop constraint runs_idempotency_key_key');
    this.addSql(
      'alter table runs add constraint runs_idempotency_key_key unique (namespace, idempotency_key)',
    );
    for (const [name, columns] of LIST_INDEXES) {
      this.addSql(`drop index ${name}`);
      this.addSql(`create index ${name} on runs (namespace, ${columns})`);
    }
    this.addSql(insertRunsFunction('namespaces', 'create or replace'));
  }

  override down(): void {
    this.addSql(insertRunsFunction('trace-parent', 'create or replace'));
    for (const [name, columns] of LIST_INDEXES) {
      this.addSql(`drop index ${name}`);
      this.addSql(`create index ${name} on runs (${columns})`);
    }
    this.addSql('alter table runs drop constraint runs_idempotency_key_key');
    this.addSql('alter table runs add constraint runs_idempotency_key_key unique (idempotency_key)');
    this.addSql('alter table definitions drop constraint definitions_pkey');
    this.addSql('alter table definitions add primary key (name, version)');
    for (const table of ['definitions', 'runs']) this.addSql(`alter table ${table} drop column namespace`);
  }
}
