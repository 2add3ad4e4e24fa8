import { Inject } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Args, ID, Int, Resolver, Subscription } from '@nestjs/graphql';
import { RUN_EVENT_FEED, type RunEventFeed } from '../../../application/ports/run-event-feed.js';
import { GetRunQuery } from '../../../application/queries/run-queries.js';
import type { RunEventView, RunView } from '../../../application/queries/run-view.js';
import { CoalescingRefresh } from '../subscriptions/coalescing-refresh.js';
import { FeedQueue } from '../subscriptions/feed-queue.js';
import { RunEvent } from '../types/run-event.type.js';
import { Run } from '../types/run.types.js';
import { parseAfterSeq } from '../../../application/contracts/requests/fields.js';
import { parseRunId } from '../../../application/contracts/requests/run-id.js';
import type { Actor } from '../../../application/actor.js';
import { CurrentActor } from '../../identity/current-actor.js';

/** Events a subscriber may fall behind by before its subscription ends with an error. */
export const EVENT_QUEUE_CAPACITY = 1000;

/**
 * Live progress (docs/contract.md#live-progress) from the run event feed, which delivers every committed event of
 * a run whichever process committed it. Each subscription owns a bounded queue between the
 * feed and the socket, and unsubscribes from the feed when it ends.
 */
@Resolver()
export class RunSubscriptionsResolver {
  constructor(
    private readonly queries: QueryBus,
    @Inject(RUN_EVENT_FEED) private readonly feed: RunEventFeed,
  ) {}

  @Subscription(() => RunEvent, {
    name: 'runEvents',
    description:
      "The run's events with seq > after, replayed from history, then live, each once, in order; completes after the run's terminal event.",
    resolve: (event: RunEventView) => event,
  })
  async runEvents(
    @CurrentActor() actor: Actor,
    @Args('runId', { type: () => ID }) runId: string,
    @Args('after', { type: () => Int, nullable: true, defaultValue: 0 }) after: number | null,
  ): Promise<AsyncIterableIterator<RunEventView>> {
    const id = parseRunId(runId);
    const from = parseAfterSeq(after ?? undefined);
    const queue = new FeedQueue<RunEventView>(EVENT_QUEUE_CAPACITY);
    // Completes after the terminal event (docs/events.md#events-that-end-a-run); graphql-ws
    // then sends `complete`.
    const subscription = await this.feed.subscribeRun(actor.namespace, id, from, {
      next: (item) => queue.push(item.event),
      end: () => queue.end(null),
      close: (reason) => queue.end(reason),
    });
    queue.attach(subscription);
    return queue;
  }

  /**
   * The run as it is now, then again after each committed change. A burst of events costs
   * one read per read already in flight, not one per event, and a subscriber that reads
   * slowly gets the latest run, not a backlog. The first value closes the race between
   * reading the run and subscribing: a run that finished meanwhile is still seen finished.
   */
  @Subscription(() => Run, {
    name: 'runUpdated',
    description: 'The run now, then after each committed change (bursts coalesced).',
    resolve: (run: RunView) => run,
  })
  async runUpdated(
    @CurrentActor() actor: Actor,
    @Args('runId', { type: () => ID }) runId: string,
  ): Promise<AsyncIterableIterator<RunView>> {
    const id = parseRunId(runId);
    const queue = new FeedQueue<RunView>(1, 'replace');
    const refresh = new CoalescingRefresh(() => this.queries.execute(new GetRunQuery(actor, id)), queue);
    const subscription = await this.feed.subscribeRun(actor.namespace, id, null, {
      next: () => refresh.changed(),
      close: (reason) => queue.end(reason),
    });
    queue.attach(subscription);
    refresh.changed();
    return queue;
  }
}
