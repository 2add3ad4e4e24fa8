import { Migration } from '@mikro-orm/migrations';
import { insertRunsFunction } from './save-functions.js';

/**
 * `runs.trace_parent`: the W3C traceparent of the span that started the run, so that decisions
 * taken later without a message to carry the context (timers, operator commands) stay in the
 * run's trace (docs/tracing.md). Nullable and written once at insert: adding it rewrites no rows
 * and updates never touch it, so HOT updates of `runs` are unaffected.
 */
export class Migration20261203000000RunTraceParent extends Migration {
  override name = 'Migration20261203000000RunTraceParent';

  override up(): void {
    this.addSql('alter table runs add column trace_parent text');
    this.addSql(insertRunsFunction('trace-parent', 'create or replace'));
  }

  override down(): void {
    this.addSql(insertRunsFunction('initial', 'create or replace'));
    this.addSql('alter table runs drop column trace_parent');
  }
}
