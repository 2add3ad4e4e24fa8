import type { FeedItem, FeedSink } from '../ports/run-event-feed.js';
import { isTerminalEvent } from './terminal-events.js';

/** More out-of-order items than this waiting for a gap to fill means the sink is hopeless. */
const MAX_PENDING = 10_000;

/**
 * One subscriber's position in one run's events: delivers each `seq` once, in order, holding
 * back items that arrive ahead of a gap until the gap is filled from history.
 */
export class RunCursor {
  private readonly pending = new Map<number, FeedItem>();
  closed = false;
  /** Type of the last event delivered (lets the hub stop polling finished runs). */
  lastType: string | null = null;

  constructor(
    readonly runId: string,
    public lastSeq: number,
    private readonly sink: FeedSink,
    private readonly onClose: (cursor: RunCursor) => void = () => undefined,
    /** A terminal event from this seq on ends the cursor through `sink.end`; null: never. */
    private readonly endFrom: number | null = null,
  ) {}

  /** Offers an item; returns true when it reveals a gap that history must fill. */
  offer(item: FeedItem): boolean {
    if (this.closed) return false;
    const seq = item.event.seq;
    if (seq <= this.lastSeq) return false;
    if (seq > this.lastSeq + 1) {
      this.pending.set(seq, item);
      if (this.pending.size > MAX_PENDING) this.close(new Error('too many events waiting for a gap'));
      return true;
    }
    this.emit(item);
    for (let next = this.pending.get(this.lastSeq + 1); next; next = this.pending.get(this.lastSeq + 1)) {
      this.pending.delete(next.event.seq);
      this.emit(next);
    }
    return false;
  }

  get hasGap(): boolean {
    return this.pending.size > 0;
  }

  close(reason: Error | null = null): void {
    if (this.stop()) this.sink.close?.(reason);
  }

  /** Ends the cursor after its run's terminal event: `sink.end` instead of `sink.close`. */
  end(terminal: FeedItem): void {
    if (this.stop()) this.sink.end?.(terminal);
  }

  private stop(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.pending.clear();
    this.onClose(this);
    return true;
  }

  private emit(item: FeedItem): void {
    this.lastSeq = item.event.seq;
    this.lastType = item.event.type;
    try {
      this.sink.next(item);
    } catch (error) {
      this.close(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.endFrom !== null && item.event.seq >= this.endFrom && isTerminalEvent(item.event.type)) {
      this.end(item);
    }
  }
}
