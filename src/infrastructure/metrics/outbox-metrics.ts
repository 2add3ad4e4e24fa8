import { sql, type Kysely } from 'kysely';
import { Counter, Gauge, type Registry } from 'prom-client';
import { scrapeSample } from './scrape-sample.js';

interface OutboxSample {
  unsent: number;
  oldestSeconds: number;
}

export interface OutboxMetricSources {
  /** The primary (the outbox is never read from a replica: it must be current). */
  db(): Kysely<unknown>;
  /** Rows the committing process published itself (AmqpOutboxPublisher's tally). */
  inlinePublished(): number;
}

/**
 * The outbox seen from outside: how many rows wait and for how long (one query per scrape), and
 * how many messages each publisher confirmed. Sent rows are deleted, so every row is unsent; a
 * backlog that grows, or an oldest row older than the relay's few seconds, means nothing is
 * publishing (relay down with SAGAFLOW_INLINE_PUBLISH=false, or the broker unreachable).
 */
export class OutboxMetrics {
  private relayed = 0;

  constructor(registry: Registry, sources: OutboxMetricSources) {
    const registers = [registry];
    const sample = scrapeSample(() => takeSample(sources.db()));
    const relayed = () => this.relayed;
    new Gauge({
      name: 'sagaflow_outbox_unsent_messages',
      help: 'Outbox rows not yet published (sent rows are deleted); NaN when the database did not answer',
      registers,
      async collect() {
        this.set(
          await sample().then(
            (s) => s.unsent,
            () => Number.NaN,
          ),
        );
      },
    });
    new Gauge({
      name: 'sagaflow_outbox_oldest_unsent_age_seconds',
      help: 'Age of the oldest unsent outbox row (0 when the outbox is empty); NaN when the database did not answer',
      registers,
      async collect() {
        this.set(
          await sample().then(
            (s) => s.oldestSeconds,
            () => Number.NaN,
          ),
        );
      },
    });
    new Counter({
      name: 'sagaflow_outbox_messages_published_total',
      help: 'Outbox messages confirmed by the broker, by publisher: inline (the committing process) or relay',
      labelNames: ['publisher'],
      registers,
      collect() {
        // Mirrors of monotonic tallies kept by the publishers themselves (no counting twice).
        this.reset();
        this.inc({ publisher: 'inline' }, sources.inlinePublished());
        this.inc({ publisher: 'relay' }, relayed());
      },
    });
  }

  /** The relay confirmed and deleted `count` rows (OutboxRelayOptions.onPublished). */
  relayPublished(count: number): void {
    this.relayed += count;
  }
}

async function takeSample(db: Kysely<unknown>): Promise<OutboxSample> {
  // One pass over a table that is small unless something is wrong; then it is worth the scan.
  const { rows } = await sql<{ unsent: number; oldest: number | null }>`
    select count(*)::float8 as unsent, extract(epoch from now() - min(created_at))::float8 as oldest
    from outbox`.execute(db);
  const row = rows[0];
  return { unsent: row?.unsent ?? 0, oldestSeconds: Math.max(0, row?.oldest ?? 0) };
}
