interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items submitted while a write is in flight wait and then go together in one
 * write, so a burst costs a few commits instead of one each. If a merged write fails, every
 * item is written alone, so each caller gets its own outcome (one bad item cannot fail others).
 */
export class GroupCommit<I, O> {
  private pending: Pending<I, O>[] = [];
  private running = 0;

  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly concurrency = 2,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.concurrency && this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      this.running += 1;
      void this.flush(batch).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private async flush(batch: Pending<I, O>[]): Promise<void> {
    try {
      const results = await this.write(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      await Promise.all(
        batch.map((p) =>
          this.write([p.item]).then(
            ([result]) => p.resolve(result!),
            (e: unknown) => p.reject(e),
          ),
        ),
      );
    }
  }
}
