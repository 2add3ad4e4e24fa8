/**
 * The pure rules of following a run across connections (docs/ws-protocol.md#resuming-with-a-cursor):
 * which events are new, how long to wait before reconnecting, and which server refusals are worth
 * another try.
 */

/** What an incoming event is to a watcher that has seen every event up to its cursor. */
export type EventVerdict = 'new' | 'duplicate' | 'gap';

/**
 * The last `seq` seen. `seq` is gapless from 1, so an event is new exactly when it is the next
 * one; an older one is a duplicate (dropped), a later one means events were missed, and the
 * watcher resubscribes from the cursor rather than draw a run with a hole in its history.
 */
export class EventCursor {
  private seq: number;

  constructor(after = 0) {
    this.seq = after;
  }

  /** The `after` of the next subscription. */
  get last(): number {
    return this.seq;
  }

  /** Judges the event with this `seq` and, when it is new, moves the cursor past it. */
  accept(seq: number): EventVerdict {
    if (seq <= this.seq) return 'duplicate';
    if (seq !== this.seq + 1) return 'gap';
    this.seq = seq;
    return 'new';
  }
}

export interface ReconnectPolicy {
  /** The wait before the first reconnect after a drop. @default 250 */
  initialDelayMs: number;
  /** The longest wait between two tries. @default 5000 */
  maxDelayMs: number;
  /**
   * How long the API may stay unreachable (no subscription accepted) before the watch gives up
   * with `ApiUnreachable`. @default 120000
   */
  giveUpAfterMs: number;
  /**
   * A connection that brings nothing — no frame, no ping — for this long is dead and replaced
   * (the server pings every 30 s: docs/ws-protocol.md#heartbeats-and-closing). @default 75000
   */
  idleTimeoutMs: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = {
  initialDelayMs: 250,
  maxDelayMs: 5_000,
  giveUpAfterMs: 120_000,
  idleTimeoutMs: 75_000,
};

/** The wait before reconnect number `tries` (0 first): doubling from the initial delay, capped. */
export function reconnectDelay(
  tries: number,
  policy: Pick<ReconnectPolicy, 'initialDelayMs' | 'maxDelayMs'>,
): number {
  const doubled = policy.initialDelayMs * 2 ** Math.min(Math.max(0, tries), 30);
  return Math.min(doubled, policy.maxDelayMs);
}

/**
 * What an `error` frame about the watched run means (docs/ws-protocol.md#errors): `retry` when
 * the feed failed to set up the subscription (a server-side fault that another connection may
 * not have), else the HTTP status it amounts to, to be reported rather than retried.
 */
export function errorFrameVerdict(message: string): { retry: true } | { retry: false; status: number } {
  if (message.startsWith('could not subscribe')) return { retry: true };
  if (message.startsWith('unknown run')) return { retry: false, status: 404 };
  if (/not authenticated|not granted|needs the \S+ role/.test(message)) return { retry: false, status: 403 };
  return { retry: false, status: 400 };
}

/** Close codes that end the watch instead of a reconnect: the credential was refused. */
export function closeRefusal(code: number): number | null {
  return code === 4401 ? 401 : null;
}
