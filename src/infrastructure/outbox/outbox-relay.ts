import { NO_FAULTS, type Faults } from '../../application/ports/faults.js';
import pg from 'pg';
import type { StoredOutgoingMessage } from '../../application/ports/run-store.js';
import { untraced, type RunTracing } from '../../application/ports/run-tracing.js';
import type { ConfirmPublisher } from '../messaging/confirm-publisher.js';
import { publishOutboxRowsOrThrow } from './outbox-dispatch.js';
import { claimOutbox, deleteOutbox, OUTBOX_CHANNEL, type Db } from './outbox-sql.js';

export interface OutboxRelayOptions {
  databaseUrl: string;
  /** Rows younger than this are left to the process that committed them (inline publish). */
  minAgeMs: number;
  sweepIntervalMs: number;
  batchSize: number;
  /** Told how many rows each committed batch sent (metrics). */
  onPublished?: (count: number) => void;
}

/**
 * Sends outbox rows that their committing process did not publish (crash, broker hiccup, or
 * SAGAFLOW_INLINE_PUBLISH=false). Rows are claimed with FOR UPDATE SKIP LOCKED, so N relays
 * never send the same row at once; woken by LISTEN/NOTIFY, with a slow sweep as a safety net.
 */
export class OutboxRelay {
  private listener: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly options: OutboxRelayOptions,
    private readonly transaction: <T>(work: (db: Db) => Promise<T>) => Promise<T>,
    private readonly publisher: ConfirmPublisher,
    private readonly prepare: (rows: readonly StoredOutgoingMessage[]) => Promise<void>,
    private readonly onError: (error: unknown) => void,
    private readonly tracing: RunTracing = untraced,
    private readonly faults: Faults = NO_FAULTS,
  ) {}

  async start(): Promise<void> {
    await this.listen();
    this.timer = setInterval(() => this.wake(), this.options.sweepIntervalMs);
    this.timer.unref();
    this.wake();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    client.on('notification', () => this.wake());
    client.on('error', (error) => {
      this.onError(error);
      this.listener = null;
      // Reconnect the listener; the periodic sweep covers the gap.
      if (!this.stopped) setTimeout(() => void this.listen().catch(this.onError), 1000).unref();
    });
    await client.connect();
    await client.query(`listen ${OUTBOX_CHANNEL}`);
    this.listener = client;
  }

  /** Runs a pass now, or right after the current one. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .then(() => undefined)
      .catch(this.onError)
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Publishes claimed batches until none is left; returns the number of rows sent. */
  async drain(minAgeMs = this.options.minAgeMs): Promise<number> {
    let sent = 0;
    for (;;) {
      const count = await this.transaction(async (db) => {
        const rows = await claimOutbox(db, minAgeMs, this.options.batchSize);
        if (rows.length === 0) return 0;
        await this.prepare(rows);
        await publishOutboxRowsOrThrow(this.publisher, rows, this.tracing, 'relay');
        // A throw here rolls the claim back: the rows are published again (docs/failure-modes.md).
        await this.faults.at('relay.after-publish-before-mark');
        await deleteOutbox(
          db,
          rows.map((r) => r.id),
        );
        return rows.length;
      });
      sent += count;
      if (count > 0) this.options.onPublished?.(count);
      if (count < this.options.batchSize) return sent;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.listener?.end().catch(() => undefined);
  }
}
