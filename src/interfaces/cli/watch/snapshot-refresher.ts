/**
 * Re-reads the run after events, coalesced: one read in flight at most, and any number of
 * requests made meanwhile fold into one more read after it. A burst of a thousand events costs
 * two GETs, and the frame always ends on a read that started after the last event.
 */
export class SnapshotRefresher<T> {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly deliver: (value: T) => void,
    /** A read that failed; the next request tries again (the final read is the caller's). */
    private readonly failed: (error: unknown) => void,
  ) {}

  request(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop();
  }

  /** Resolves once no read is in flight or due. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** No read starts after this; one in flight is not delivered. */
  stop(): void {
    this.stopped = true;
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        try {
          const value = await this.load();
          if (!this.stopped) this.deliver(value);
        } catch (error) {
          if (!this.stopped) this.failed(error);
        }
      } while (this.again && !this.stopped);
    } finally {
      this.running = null;
    }
  }
}
