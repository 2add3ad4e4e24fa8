import type { FeedItem } from './run-event-feed.js';

export interface LiveEventBusSubscription {
  unsubscribe(): Promise<void>;
}

/**
 * Batches of committed run events, as published after commit by whichever process committed
 * them, delivered to every process that listens. Best effort: a batch may be lost (the
 * publisher died after commit, the bus was down), which the feed repairs from history.
 */
export interface LiveEventBus {
  /** Resolves once batches published from now on will reach `listener`. */
  subscribe(listener: (items: readonly FeedItem[]) => void): Promise<LiveEventBusSubscription>;
}
