import type { ResultMessage } from '../../application/ports/messages.js';

interface Pending {
  results: readonly ResultMessage[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Merges the result batches of every shard this process owns into as few transactions as
 * possible (group commit): while one transaction is in flight, arriving batches wait and then
 * go together. A shard hands over its next batch only after its previous one committed, so
 * per-run order holds. If a merged pass fails, each batch is retried alone so that one bad
 * batch cannot hold the other shards back.
 */
export class ResultApplier {
  private pending: Pending[] = [];
  private running = 0;

  constructor(
    private readonly apply: (results: readonly ResultMessage[]) => Promise<void>,
    private readonly concurrency = 2,
  ) {}

  submit(results: readonly ResultMessage[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ results, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.concurrency && this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      this.running += 1;
      void this.pass(batch).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private async pass(batch: Pending[]): Promise<void> {
    try {
      await this.apply(batch.flatMap((p) => p.results));
      for (const p of batch) p.resolve();
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const p of batch) {
        await this.apply(p.results).then(
          () => p.resolve(),
          (e: unknown) => p.reject(e),
        );
      }
    }
  }
}
