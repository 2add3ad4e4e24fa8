import CircuitBreaker from 'opossum';

import {
  RetryAfterError,
  RetryableError,
  isErrorLike,
  isTaskFailureError,
} from '../../../domain/errors/task-errors.js';

export interface BreakerSettings {
  /** Percentage of failed calls in the rolling window that opens the breaker. */
  errorThresholdPercentage: number;
  /** How long an open breaker fails fast before it lets one trial call through. */
  resetTimeoutMs: number;
  /** Calls in the rolling window before the breaker may open at all. */
  volumeThreshold: number;
  /** Length of the rolling window the percentage is computed over. */
  rollingCountTimeoutMs: number;
}

export const DEFAULT_BREAKER_SETTINGS: BreakerSettings = {
  errorThresholdPercentage: 50,
  resetTimeoutMs: 10_000,
  volumeThreshold: 5,
  rollingCountTimeoutMs: 10_000,
};

type Call<R> = () => Promise<R>;

interface Entry<R> {
  breaker: CircuitBreaker<[Call<R>], R>;
  openedAt: number;
}

/**
 * One circuit breaker per `host:port`, created on first use, so one failing service fails
 * fast without blocking calls to the others. A breaker only counts retryable failures: a
 * 4xx is the caller's fault and says nothing about the service's health.
 */
export class HostBreakers<R> {
  private readonly entries = new Map<string, Entry<R>>();
  private closed = false;
  private readonly openListeners: (() => void)[] = [];

  constructor(private readonly settings: BreakerSettings = DEFAULT_BREAKER_SETTINGS) {}

  /**
   * Runs `call` through the breaker of `hostKey`. An open breaker rejects with
   * `RetryAfterError` for the time left until its trial call.
   */
  async run(hostKey: string, call: Call<R>): Promise<R> {
    if (this.closed) throw new RetryableError('the http handler is closed');
    const entry = this.entry(hostKey);
    try {
      return await entry.breaker.fire(call);
    } catch (err) {
      if (errorCode(err) === 'ESHUTDOWN') {
        throw new RetryableError('the http handler is closed', { cause: err });
      }
      if (errorCode(err) === 'EOPENBREAKER') {
        const remaining = entry.openedAt + this.settings.resetTimeoutMs - Date.now();
        throw new RetryAfterError(
          remaining > 0 ? remaining : this.settings.resetTimeoutMs,
          `circuit breaker for ${hostKey} is open`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  /** Whether the breaker of `hostKey` is failing fast (open, or half-open with its trial in flight). */
  isOpen(hostKey: string): boolean {
    return this.entries.get(hostKey)?.breaker.opened ?? false;
  }

  /** Calls `listener` each time one host's breaker opens. */
  onOpen(listener: () => void): void {
    this.openListeners.push(listener);
  }

  /** How many hosts' breakers are not closed (open, or half-open awaiting a trial call). */
  openCount(): number {
    let open = 0;
    for (const { breaker } of this.entries.values()) if (!breaker.closed) open += 1;
    return open;
  }

  /** Stops every breaker's timers; later calls fail retryably. */
  close(): void {
    this.closed = true;
    for (const { breaker } of this.entries.values()) breaker.shutdown();
    this.entries.clear();
  }

  private entry(hostKey: string): Entry<R> {
    const existing = this.entries.get(hostKey);
    if (existing) return existing;
    const breaker = new CircuitBreaker<[Call<R>], R>((call) => call(), {
      name: hostKey,
      // No opossum timeout: the task's AbortSignal and the input's timeoutMs bound each call.
      timeout: false,
      errorThresholdPercentage: this.settings.errorThresholdPercentage,
      resetTimeout: this.settings.resetTimeoutMs,
      volumeThreshold: this.settings.volumeThreshold,
      rollingCountTimeout: this.settings.rollingCountTimeoutMs,
      enableSnapshots: false,
      // A filtered error counts as a success: only failures another attempt could fix
      // (5xx, 408, 429, network, timeout) say the service is unwell.
      errorFilter: (err: unknown) => isTaskFailureError(err) && !err.retryable,
    });
    const entry: Entry<R> = { breaker, openedAt: 0 };
    breaker.on('open', () => {
      entry.openedAt = Date.now();
      for (const listener of this.openListeners) listener();
    });
    this.entries.set(hostKey, entry);
    return entry;
  }
}

function errorCode(err: unknown): unknown {
  return isErrorLike(err) ? (err as NodeJS.ErrnoException).code : undefined;
}
