import type { CommittedOutboxPublisher } from '../../application/ports/message-routing.js';
import type { StoredOutgoingMessage } from '../../application/ports/run-store.js';
import { untraced, type RunTracing } from '../../application/ports/run-tracing.js';
import type { ConfirmPublisher } from '../messaging/confirm-publisher.js';
import { publishOutboxRows } from './outbox-dispatch.js';
import { deleteOutbox, notifyRelay, type Db } from './outbox-sql.js';

const FLUSH_AFTER_MS = 20;
const FLUSH_AT = 1000;

/**
 * Publishes outbox rows right after the transaction that wrote them commits, then deletes
 * them in coalesced batches. Whatever fails here stays in the outbox and the relay sends it:
 * the row, not this process, is the promise that the message goes out.
 */
export class AmqpOutboxPublisher implements CommittedOutboxPublisher {
  private confirmed: string[] = [];
  private flushing: Promise<void> | null = null;
  private readonly inflight = new Set<Promise<void>>();
  /** Rows the broker confirmed so far: a monotonic tally the metrics mirror. */
  published = 0;

  constructor(
    private readonly publisher: ConfirmPublisher,
    private readonly db: () => Db,
    private readonly inline: boolean,
    private readonly prepare: (rows: readonly StoredOutgoingMessage[]) => Promise<void>,
    private readonly onError: (error: unknown) => void,
    private readonly tracing: RunTracing = untraced,
  ) {}

  publishCommitted(rows: readonly StoredOutgoingMessage[]): void {
    const work = this.inline ? this.publish(rows) : notifyRelay(this.db());
    const tracked = work.catch(this.onError).finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  private async publish(rows: readonly StoredOutgoingMessage[]): Promise<void> {
    await this.prepare(rows);
    const results = await publishOutboxRows(this.publisher, rows, this.tracing, 'inline');
    let failed = false;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') this.confirmed.push(rows[i]!.id);
      else failed = true;
    });
    this.published += results.filter((r) => r.status === 'fulfilled').length;
    this.scheduleFlush();
    if (failed) await notifyRelay(this.db());
  }

  /**
   * One DELETE for every row confirmed in the last few milliseconds. A sent row that lingers a
   * little is harmless: the relay only takes rows older than seconds, and a resend is a
   * duplicate that consumers already tolerate.
   */
  private scheduleFlush(): void {
    if (this.flushing) return;
    const wait = this.confirmed.length >= FLUSH_AT ? 0 : FLUSH_AFTER_MS;
    // The delete serves the rows of many runs: no run's trace should own it.
    this.flushing = this.tracing.detached(() =>
      new Promise<void>((resolve) => setTimeout(resolve, wait))
        .then(async () => {
          while (this.confirmed.length > 0) {
            const ids = this.confirmed;
            this.confirmed = [];
            await deleteOutbox(this.db(), ids);
          }
        })
        .catch(this.onError)
        .finally(() => {
          this.flushing = null;
          if (this.confirmed.length > 0) this.scheduleFlush();
        }),
    );
  }

  /** Waits for in-flight publishes and deletes, for a clean shutdown. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0 || this.flushing) {
      await Promise.allSettled([...this.inflight, this.flushing]);
    }
  }
}
