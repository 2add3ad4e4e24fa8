import type { AppLogger } from '../../application/ports/logger.js';
import type { WorkerDirectory } from '../../application/ports/worker-directory.js';

export interface WorkerHeartbeatOptions {
  /** This process in the directory (SAGAFLOW_INSTANCE_ID). */
  workerId: string;
  /** SAGAFLOW_HEARTBEAT_MS (docs/contract.md#configuration). */
  intervalMs: number;
}

/**
 * Announces the task types this worker consumes, at start and then every interval, and
 * withdraws them on a clean stop (docs/architecture.md, "Unserved task types"). A failed beat is
 * logged and the next one tries again: a worker keeps working while its directory entry is
 * stale, it only makes registrations warn.
 */
export class WorkerHeartbeat {
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;

  constructor(
    private readonly directory: WorkerDirectory,
    private readonly options: WorkerHeartbeatOptions,
    private readonly log: AppLogger,
  ) {}

  async start(types: readonly string[]): Promise<void> {
    const snapshot = [...types];
    await this.beat(snapshot);
    this.timer = setInterval(() => {
      this.beating ??= this.beat(snapshot).finally(() => (this.beating = null));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
    try {
      await this.directory.withdraw(this.options.workerId);
    } catch (error) {
      // Not fatal: the entry goes stale by itself within the live window.
      this.log.warn('withdrawing the worker heartbeat failed', { error: String(error) });
    }
  }

  private async beat(types: string[]): Promise<void> {
    try {
      await this.directory.announce(this.options.workerId, types);
    } catch (error) {
      this.log.error('worker heartbeat failed', { error: String(error) });
    }
  }
}
