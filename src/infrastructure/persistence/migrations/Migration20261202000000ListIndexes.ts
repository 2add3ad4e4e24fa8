import { Migration } from '@mikro-orm/migrations';

/**
 * Lists filtered by definition and status together walk one index in `(created_at, id)` order
 * and stop after a page, however many runs of the definition have other statuses. (Definition
 * alone, status alone, and neither have their indexes from the initial migration; a time range
 * is a range on the same trailing columns.)
 */
export class Migration20261202000000ListIndexes extends Migration {
  override name = 'Migration20261202000000ListIndexes';

  override up(): void {
    this.addSql(
      'create index runs_definition_status_idx on runs (definition_name, status, created_at desc, id desc)',
    );
  }

  override down(): void {
    this.addSql('drop index runs_definition_status_idx');
  }
}
