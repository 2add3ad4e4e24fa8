import type { LiveEventBus } from '../../../../src/application/ports/live-event-bus.js';
import type { RunHead, RunReadModel } from '../../../../src/application/ports/run-read-model.js';
import type { FeedItem } from '../../../../src/application/ports/run-event-feed.js';
import type { RunEvent } from '../../../../src/domain/run/run-events.js';

/** In-memory stand-ins for our own ports: history is an array, the bus a list of listeners. */
export class LiveWorld implements LiveEventBus {
  readonly history = new Map<string, RunEvent[]>();
  readonly definitions = new Map<string, string>();
  readonly namespaces = new Map<string, string>();
  private listeners: ((items: readonly FeedItem[]) => void)[] = [];
  historyReads = 0;

  addRun(runId: string, definition: string, namespace = 'default'): void {
    this.history.set(runId, []);
    this.definitions.set(runId, definition);
    this.namespaces.set(runId, namespace);
  }

  /** Commits the next event of a run; returns it as the live item a publisher would send. */
  commit(runId: string, type = 'TaskQueued'): FeedItem {
    const events = this.history.get(runId)!;
    const event: RunEvent = {
      seq: events.length + 1,
      type: type as RunEvent['type'],
      taskKey: null,
      attempt: null,
      at: new Date(0),
      data: {},
    };
    events.push(event);
    return {
      namespace: this.namespaces.get(runId)!,
      runId,
      definition: this.definitions.get(runId)!,
      event: { ...event, at: event.at.toISOString() },
    };
  }

  publish(items: FeedItem[]): void {
    for (const listener of this.listeners) listener(items);
  }

  async subscribe(listener: (items: readonly FeedItem[]) => void) {
    this.listeners.push(listener);
    return {
      unsubscribe: async () => {
        this.listeners = this.listeners.filter((l) => l !== listener);
      },
    };
  }

  readModel(): RunReadModel {
    return {
      getRun: async () => null,
      listRuns: async () => ({ items: [], nextCursor: null }),
      getRunsByIds: async () => [],
      runHead: async (namespace, id): Promise<RunHead | null> => {
        const events = this.namespaces.get(id) === namespace ? this.history.get(id) : undefined;
        return events
          ? { version: events.length, lastSeq: events.length, definition: this.definitions.get(id)! }
          : null;
      },
      events: async (namespace, runId, after, limit) => {
        this.historyReads += 1;
        if (this.namespaces.get(runId) !== namespace) return [];
        return (this.history.get(runId) ?? []).filter((e) => e.seq > after).slice(0, limit);
      },
    };
  }
}

export const settle = () => new Promise((resolve) => setImmediate(resolve));

export async function settleAll(): Promise<void> {
  for (let i = 0; i < 20; i++) await settle();
}
