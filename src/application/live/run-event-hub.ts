import type { LiveEventBus, LiveEventBusSubscription } from '../ports/live-event-bus.js';
import type { RunHead, RunReadModel } from '../ports/run-read-model.js';
import type { FeedItem, FeedSink, FeedSubscription, RunEventFeed } from '../ports/run-event-feed.js';
import { NotFoundError } from '../errors.js';
import { eventView } from '../queries/run-view.js';
import { RunCursor } from './run-cursor.js';
import { isFinalEvent, isTerminalEvent } from './terminal-events.js';

export interface RunEventHubOptions {
  /** A watched run that has been quiet this long is checked against history (lost batches). */
  pollMs: number;
  /** Events read from history per query. */
  pageSize: number;
  /** Runs a definition subscription follows at once (the least recently active are dropped). */
  maxRunsPerDefinitionSubscription: number;
}

const DEFAULTS: RunEventHubOptions = {
  pollMs: 5000,
  pageSize: 500,
  maxRunsPerDefinitionSubscription: 10_000,
};

interface RunChannel {
  namespace: string;
  runId: string;
  definition: string;
  cursors: Set<RunCursor>;
  /** Lowest seq after which history must be read; null: nothing requested. */
  fetchAfter: number | null;
  fetching: boolean;
  lastActivity: number;
}

interface DefinitionSubscription {
  sink: FeedSink;
  runs: Map<string, RunCursor>;
}

/**
 * The live feed of docs/contract.md#live-progress in one place: live batches from the bus (Redis pub/sub, fed after
 * commit) are the fast path, history (the read model) is the truth. Each subscriber holds a
 * cursor; an item that arrives ahead of its cursor reveals a gap, which is filled from history
 * before anything later is delivered, so a subscriber sees every event once, in `seq` order,
 * across replay, live, lost batches and bus outages. One history read serves every subscriber
 * of a run. Channels and definition subscriptions are keyed by namespace: a subscriber hears
 * only runs of its own namespace, and history is read in it.
 */
export class RunEventHub implements RunEventFeed {
  private readonly options: RunEventHubOptions;
  private readonly channels = new Map<string, RunChannel>();
  private readonly definitions = new Map<string, Set<DefinitionSubscription>>();
  private bus: Promise<LiveEventBusSubscription> | null = null;
  private poller: NodeJS.Timeout | null = null;

  constructor(
    private readonly liveBus: LiveEventBus,
    private readonly reads: RunReadModel,
    private readonly onError: (error: unknown) => void,
    options: Partial<RunEventHubOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  async subscribeRun(
    namespace: string,
    runId: string,
    after: number | null,
    sink: FeedSink,
  ): Promise<FeedSubscription> {
    await this.listen();
    const head = await this.reads.runHead(namespace, runId);
    if (!head) throw new NotFoundError(`run ${runId} not found`);
    const start = after === null ? head.lastSeq : Math.max(0, Math.trunc(after));
    const ends = sink.end !== undefined;
    // Nothing to replay: a run that has already ended ends the subscription at once.
    const ended = ends && start >= head.lastSeq ? await this.terminalAt(namespace, runId, head) : null;
    const channel = this.channel(namespace, runId, head.definition);
    const endFrom = ends ? head.lastSeq : null;
    const cursor = new RunCursor(runId, start, sink, (c) => this.detach(channel, c), endFrom);
    channel.cursors.add(cursor);
    if (ended) cursor.end(ended);
    else if (start < head.lastSeq) this.fetch(channel, start);
    return { unsubscribe: () => cursor.close() };
  }

  /** The run's last event when it is a terminal one (the run has ended), else null. */
  private async terminalAt(namespace: string, runId: string, head: RunHead): Promise<FeedItem | null> {
    if (head.lastSeq === 0) return null;
    const [last] = await this.reads.events(namespace, runId, head.lastSeq - 1, 1);
    if (!last || last.seq !== head.lastSeq || !isTerminalEvent(last.type)) return null;
    return { namespace, runId, definition: head.definition, event: eventView(last) };
  }

  async subscribeDefinition(namespace: string, name: string, sink: FeedSink): Promise<FeedSubscription> {
    await this.listen();
    const subscription: DefinitionSubscription = { sink, runs: new Map() };
    const key = scoped(namespace, name);
    let set = this.definitions.get(key);
    if (!set) this.definitions.set(key, (set = new Set()));
    set.add(subscription);
    return {
      unsubscribe: () => {
        set.delete(subscription);
        if (set.size === 0) this.definitions.delete(key);
        for (const cursor of subscription.runs.values()) cursor.close();
        subscription.runs.clear();
      },
    };
  }

  async close(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    for (const channel of [...this.channels.values()]) {
      for (const cursor of [...channel.cursors]) cursor.close(null);
    }
    for (const set of this.definitions.values()) for (const sub of set) sub.sink.close?.(null);
    this.definitions.clear();
    const bus = this.bus;
    this.bus = null;
    if (bus) await (await bus).unsubscribe();
  }

  /** Subscribes to the bus once, on first use, and starts the poll for lost batches. */
  private listen(): Promise<LiveEventBusSubscription> {
    if (!this.bus) {
      this.bus = this.liveBus.subscribe((items) => this.receive(items));
      this.poller = setInterval(() => this.poll(), this.options.pollMs);
      this.poller.unref();
    }
    return this.bus;
  }

  private receive(items: readonly FeedItem[]): void {
    const now = Date.now();
    for (const item of items) {
      const channel = this.channels.get(scoped(item.namespace, item.runId));
      if (channel) {
        channel.lastActivity = now;
        this.offer(channel, item);
      }
      const subscriptions = this.definitions.get(scoped(item.namespace, item.definition));
      if (subscriptions) for (const sub of subscriptions) this.offerToDefinition(sub, item);
    }
  }

  private offer(channel: RunChannel, item: FeedItem): void {
    let gapAfter: number | null = null;
    for (const cursor of channel.cursors) {
      if (cursor.offer(item)) gapAfter = Math.min(gapAfter ?? cursor.lastSeq, cursor.lastSeq);
    }
    if (gapAfter !== null) this.fetch(channel, gapAfter);
  }

  /** A definition subscriber follows each run from the first event it sees of it. */
  private offerToDefinition(sub: DefinitionSubscription, item: FeedItem): void {
    let cursor = sub.runs.get(item.runId);
    if (cursor) {
      // It is in the run's channel, so receive() offered it the item already.
      sub.runs.delete(item.runId);
      sub.runs.set(item.runId, cursor); // most recently active last
    } else {
      const channel = this.channel(item.namespace, item.runId, item.definition);
      const forward: FeedSink = { next: (i) => sub.sink.next(i) };
      cursor = new RunCursor(item.runId, item.event.seq - 1, forward, (c) => {
        this.detach(channel, c);
        sub.runs.delete(c.runId);
      });
      channel.cursors.add(cursor);
      sub.runs.set(item.runId, cursor);
      if (sub.runs.size > this.options.maxRunsPerDefinitionSubscription) {
        sub.runs.values().next().value?.close();
      }
      cursor.offer(item); // it starts just before this item: no gap to fill
    }
    if (isFinalEvent(item.event.type) && cursor.lastSeq === item.event.seq) cursor.close();
  }

  private channel(namespace: string, runId: string, definition: string): RunChannel {
    const key = scoped(namespace, runId);
    let channel = this.channels.get(key);
    if (!channel) {
      channel = {
        namespace,
        runId,
        definition,
        cursors: new Set(),
        fetchAfter: null,
        fetching: false,
        lastActivity: Date.now(),
      };
      this.channels.set(key, channel);
    }
    return channel;
  }

  private detach(channel: RunChannel, cursor: RunCursor): void {
    channel.cursors.delete(cursor);
    const key = scoped(channel.namespace, channel.runId);
    if (channel.cursors.size === 0 && this.channels.get(key) === channel) this.channels.delete(key);
  }

  /** Reads history after `after` for every cursor of the channel; one read at a time per run. */
  private fetch(channel: RunChannel, after: number): void {
    channel.fetchAfter = Math.min(channel.fetchAfter ?? after, after);
    if (channel.fetching) return;
    channel.fetching = true;
    void this.drain(channel);
  }

  private async drain(channel: RunChannel): Promise<void> {
    try {
      while (channel.fetchAfter !== null && channel.cursors.size > 0) {
        let after = channel.fetchAfter;
        channel.fetchAfter = null;
        for (;;) {
          const { namespace, runId, definition } = channel;
          const page = await this.reads.events(namespace, runId, after, this.options.pageSize);
          for (const event of page) {
            const item = { namespace, runId, definition, event: eventView(event) };
            for (const cursor of channel.cursors) cursor.offer(item);
            after = event.seq;
          }
          if (page.length < this.options.pageSize) break;
        }
      }
    } catch (error) {
      this.onError(error); // the next poll tries again
    } finally {
      // Cleared in the same turn the loop sees no request: a gap revealed any later starts a
      // new drain instead of waiting on one that has already stopped reading.
      channel.fetching = false;
    }
  }

  /** Catches up quiet runs whose live batch may have been lost (publisher crash, Redis down). */
  private poll(): void {
    const quietSince = Date.now() - this.options.pollMs;
    for (const channel of this.channels.values()) {
      const open = [...channel.cursors].filter((c) => !c.closed);
      if (open.length === 0) continue;
      const stale = channel.lastActivity <= quietSince || open.some((c) => c.hasGap);
      const finished = open.every((c) => c.lastType !== null && isFinalEvent(c.lastType));
      if (stale && !finished) this.fetch(channel, Math.min(...open.map((c) => c.lastSeq)));
    }
  }
}

/** A key within one namespace (namespace names hold no `/`). */
const scoped = (namespace: string, key: string) => `${namespace}/${key}`;
