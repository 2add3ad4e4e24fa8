import type { Clock } from '../ports/clock.js';

/**
 * In-process alarms for near durable timers, so a 200 ms backoff fires on time instead of
 * waiting for the sweeper's poll. PostgreSQL stays the authority: an alarm only asks the
 * orchestrator to look at the run, and a lost alarm is caught by the sweeper.
 */
export class TimerScheduler {
  private readonly alarms = new Map<string, { at: number; handle: NodeJS.Timeout }>();
  private closed = false;

  constructor(
    private readonly fire: (runId: string) => Promise<void>,
    private readonly onError: (error: unknown) => void,
    private readonly clock: Clock,
    private readonly horizonMs = 60_000,
  ) {}

  schedule(runId: string, at: Date | null): void {
    if (this.closed || at === null) return;
    const due = at.getTime();
    const now = this.clock.now().getTime();
    if (due - now > this.horizonMs) return;
    const current = this.alarms.get(runId);
    if (current && current.at <= due) return;
    if (current) clearTimeout(current.handle);
    const handle = setTimeout(
      () => {
        this.alarms.delete(runId);
        this.fire(runId).catch(this.onError);
      },
      Math.max(0, due - now),
    );
    handle.unref();
    this.alarms.set(runId, { at: due, handle });
  }

  close(): void {
    this.closed = true;
    for (const { handle } of this.alarms.values()) clearTimeout(handle);
    this.alarms.clear();
  }
}
