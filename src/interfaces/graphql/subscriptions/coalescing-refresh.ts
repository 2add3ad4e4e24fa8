import type { FeedQueue } from './feed-queue.js';

/**
 * Re-reads a value whenever it is told that it changed, coalescing bursts: while one read
 * is in flight, any number of changes cause one more read after it, never a read each. A
 * read that starts after a change sees it, so the last value pushed is never older than the
 * last change. Values equal to the previous one are not pushed again.
 */
export class CoalescingRefresh<T> {
  private reading = false;
  private stale = false;
  private lastJson: string | null = null;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly queue: FeedQueue<T>,
  ) {}

  changed(): void {
    this.stale = true;
    if (!this.reading) void this.drain();
  }

  private async drain(): Promise<void> {
    this.reading = true;
    try {
      while (this.stale && !this.queue.isEnded) {
        this.stale = false;
        const value = await this.read();
        const json = JSON.stringify(value);
        if (json !== this.lastJson) {
          this.lastJson = json;
          this.queue.push(value);
        }
      }
    } catch (error) {
      this.queue.end(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.reading = false;
    }
  }
}
