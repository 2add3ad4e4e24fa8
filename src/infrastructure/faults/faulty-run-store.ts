import type { Faults } from '../../application/ports/faults.js';
import type {
  NewRunWrite,
  OutgoingMessage,
  RunStore,
  RunWrite,
  StoredOutgoingMessage,
} from '../../application/ports/run-store.js';

/**
 * The run store with the `persistence.after-commit` point: a write that committed and then
 * fails or times out on its way back (docs/failure-modes.md#fault-hooks), as a connection cut
 * right after COMMIT does. Used only while SAGAFLOW_FAULTS arms a point.
 */
export class FaultyRunStore implements RunStore {
  constructor(
    private readonly store: RunStore,
    private readonly faults: Faults,
  ) {}

  loadRuns(ids: readonly string[]) {
    return this.store.loadRuns(ids);
  }

  findRunByIdempotencyKey(namespace: string, key: string) {
    return this.store.findRunByIdempotencyKey(namespace, key);
  }

  async insertRuns(runs: readonly NewRunWrite[]): Promise<StoredOutgoingMessage[]> {
    const stored = await this.store.insertRuns(runs);
    await this.faults.at('persistence.after-commit');
    return stored;
  }

  async saveRuns(
    writes: readonly RunWrite[],
    outbox: readonly OutgoingMessage[],
  ): Promise<StoredOutgoingMessage[]> {
    const stored = await this.store.saveRuns(writes, outbox);
    await this.faults.at('persistence.after-commit');
    return stored;
  }

  runsWithDueTimers(now: Date, limit: number) {
    return this.store.runsWithDueTimers(now, limit);
  }
}
