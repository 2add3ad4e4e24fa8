export const WORKER_DIRECTORY = Symbol('WorkerDirectory');

/**
 * Which task types the live workers serve (docs/architecture.md, "Unserved task types"): each
 * worker process announces its types on every heartbeat; an announcement older than
 * {@link liveWindowMs} no longer counts. Definitions whose types nobody serves are registered
 * with a warning (docs/contract.md#workflow-definitions), never refused.
 */
export interface WorkerDirectory {
  /** How long one announcement counts: about three heartbeat intervals. */
  readonly liveWindowMs: number;
  /** Records that `workerId` serves exactly `types`, now (a type it dropped is forgotten). */
  announce(workerId: string, types: readonly string[]): Promise<void>;
  /** Forgets `workerId` at once (a clean shutdown). */
  withdraw(workerId: string): Promise<void>;
  /** The types some worker announced within the last `withinMs`. */
  servedTypes(withinMs: number): Promise<ReadonlySet<string>>;
}
