import type { RunEventView } from '../queries/run-view.js';

export const RUN_EVENT_FEED = Symbol('RunEventFeed');

/** A run event as it reaches a subscriber: the event and the run it belongs to. */
export interface FeedItem {
  /** The run's namespace: a subscriber sees only its own namespace's runs. */
  namespace: string;
  runId: string;
  /** Name of the run's definition (registered or inline). */
  definition: string;
  event: RunEventView;
}

/**
 * Receives feed items synchronously, in `seq` order per run; it must not block. `close` is
 * called once if the feed gives up on the subscription (for example, the service stops).
 */
export interface FeedSink {
  next(item: FeedItem): void;
  /**
   * A run subscription whose sink has `end` is over after the run's terminal event
   * (docs/events.md#events-that-end-a-run): `end` is called once with that event, after it was
   * delivered (or at once, when it is the run's last event and lies at or before `after`), and
   * nothing follows. A terminal event that an operator retry has already followed when the
   * subscription starts ends nothing. Without `end`, a run subscription stays open (a retry
   * would continue it).
   */
  end?(terminal: FeedItem): void;
  close?(reason: Error | null): void;
}

export interface FeedSubscription {
  unsubscribe(): void;
}

/**
 * Committed run events for live watchers (docs/contract.md#live-progress), whichever process committed them.
 * Implemented in infrastructure (Redis pub/sub fed after commit; history from the read side).
 */
export interface RunEventFeed {
  /**
   * Events of one run with `seq > after`: history first, then live, with no gap and no
   * duplicate across the switch. `after: null` means live only, from the run's current
   * last event. Rejects with `NotFoundError` for an unknown or malformed run id, or one of
   * another namespace. The returned
   * promise settles once the subscription is live (history may still be arriving).
   */
  subscribeRun(
    namespace: string,
    runId: string,
    after: number | null,
    sink: FeedSink,
  ): Promise<FeedSubscription>;
  /** Live events (no replay) of every run of `namespace` whose definition has this name. */
  subscribeDefinition(namespace: string, name: string, sink: FeedSink): Promise<FeedSubscription>;
}
