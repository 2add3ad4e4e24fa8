import { sql, type Kysely } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import { scrapeSample } from './scrape-sample.js';

/**
 * Dead letters kept in PostgreSQL, by the queue they died on (docs/operations.md#dead-letters):
 * the keeper drains `<prefix>.dead` at once, so this, not that queue's depth, is what an
 * operator has to look at. One query per scrape; no series when the database did not answer.
 */
export function registerDeadLetterMetrics(registry: Registry, db: () => Kysely<unknown>): void {
  const sample = scrapeSample(async () => {
    const { rows } = await sql<{ queue: string; kept: number }>`
      select queue, count(*)::float8 as kept from dead_letters group by queue`.execute(db());
    return rows;
  });
  new Gauge({
    name: 'sagaflow_dead_letters',
    help: 'Dead letters kept in PostgreSQL and not yet replayed or deleted, by the queue they died on',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await sample().catch(() => []);
      for (const row of rows) this.set({ queue: row.queue }, row.kept);
    },
  });
}
