import { describe, expect, it } from '@jest/globals';
import { RunEventHub } from '../../../src/application/live/run-event-hub.js';
import { TERMINAL_EVENT_TYPES } from '../../../src/application/live/terminal-events.js';
import type { LiveEventBus } from '../../../src/application/ports/live-event-bus.js';
import type { RunHead, RunReadModel } from '../../../src/application/ports/run-read-model.js';
import type { FeedItem, FeedSink } from '../../../src/application/ports/run-event-feed.js';
import type { RunEvent } from '../../../src/domain/run/run-events.js';

const RUN = '00000000-0000-4000-8000-000000000001';

/** One run's history as an array and the live bus as a list of listeners. */
class World implements LiveEventBus {
  readonly history: RunEvent[] = [];
  private listeners: ((items: readonly FeedItem[]) => void)[] = [];

  commit(type: string): FeedItem {
    const event: RunEvent = {
      seq: this.history.length + 1,
      type: type as RunEvent['type'],
      taskKey: null,
      attempt: null,
      at: new Date(0),
      data: {},
    };
    this.history.push(event);
    return { runId: RUN, definition: 'd', event: { ...event, at: event.at.toISOString() } };
  }

  publish(...items: FeedItem[]): void {
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
      runHead: async (id): Promise<RunHead | null> =>
        id === RUN ? { version: 1, lastSeq: this.history.length, definition: 'd' } : null,
      events: async (_runId, after, limit) => this.history.filter((e) => e.seq > after).slice(0, limit),
    };
  }
}

async function settleAll(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

function hubOf(world: World): RunEventHub {
  const fail = (error: unknown) => {
    throw error;
  };
  return new RunEventHub(world, world.readModel(), fail, { pollMs: 60_000, pageSize: 2 });
}

/** A sink that records what it is told, `end` included when `ends`. */
function recorder(ends = true) {
  const log: string[] = [];
  const sink: FeedSink = {
    next: (item) => log.push(`${item.event.seq} ${item.event.type}`),
    close: (reason) => log.push(`close ${String(reason)}`),
    ...(ends ? { end: (item: FeedItem) => log.push(`end ${item.event.seq}`) } : {}),
  };
  return { log, sink };
}

describe('the end of a run subscription (docs/events.md#events-that-end-a-run)', () => {
  it.each(TERMINAL_EVENT_TYPES)('ends after a live %s, and nothing follows it', async (terminal) => {
    const world = new World();
    world.commit('RunStarted');
    const hub = hubOf(world);
    const { log, sink } = recorder();
    await hub.subscribeRun(RUN, 0, sink);
    world.publish(world.commit('TaskQueued'), world.commit(terminal));
    world.publish(world.commit('RunRetried'));
    await settleAll();
    expect(log).toEqual(['1 RunStarted', '2 TaskQueued', `3 ${terminal}`, 'end 3']);
    await hub.close();
  });

  it('replays a finished run from after and ends; at or past its last event it ends at once', async () => {
    const world = new World();
    for (const type of ['RunStarted', 'TaskQueued', 'TaskStarted', 'TaskCompleted', 'RunCompleted']) {
      world.commit(type);
    }
    const hub = hubOf(world);
    const replay = recorder();
    await hub.subscribeRun(RUN, 2, replay.sink);
    await settleAll();
    expect(replay.log).toEqual(['3 TaskStarted', '4 TaskCompleted', '5 RunCompleted', 'end 5']);
    for (const after of [5, 9]) {
      const atHead = recorder();
      await hub.subscribeRun(RUN, after, atHead.sink);
      expect(atHead.log).toEqual(['end 5']);
    }
    await hub.close();
  });

  it('does not end at a terminal event that a retry has already followed', async () => {
    const world = new World();
    for (const type of ['RunStarted', 'TaskFailed', 'RunFailed', 'RunRetried', 'TaskQueued'])
      world.commit(type);
    const hub = hubOf(world);
    const { log, sink } = recorder();
    await hub.subscribeRun(RUN, 0, sink);
    await settleAll();
    world.publish(world.commit('TaskCompleted'), world.commit('RunCompleted'));
    await settleAll();
    expect(log).toEqual([
      '1 RunStarted',
      '2 TaskFailed',
      '3 RunFailed',
      '4 RunRetried',
      '5 TaskQueued',
      '6 TaskCompleted',
      '7 RunCompleted',
      'end 7',
    ]);
    await hub.close();
  });

  it('leaves open a subscription whose sink has no end, and one to a run that is still going', async () => {
    const world = new World();
    world.commit('RunStarted');
    world.commit('RunFailed');
    const hub = hubOf(world);
    const open = recorder(false);
    await hub.subscribeRun(RUN, 0, open.sink);
    const going = recorder();
    world.commit('RunRetried');
    await hub.subscribeRun(RUN, 3, going.sink);
    world.publish(world.commit('TaskQueued'));
    await settleAll();
    expect(open.log).toEqual(['1 RunStarted', '2 RunFailed', '3 RunRetried', '4 TaskQueued']);
    expect(going.log).toEqual(['4 TaskQueued']);
    await hub.close();
    expect(open.log.at(-1)).toBe('close null');
    expect(going.log.at(-1)).toBe('close null');
  });

  it('does not end a definition subscription with one of its runs', async () => {
    const world = new World();
    world.commit('RunStarted');
    const hub = hubOf(world);
    const { log, sink } = recorder();
    await hub.subscribeDefinition('d', sink);
    world.publish(world.commit('RunCompleted'));
    await settleAll();
    expect(log).toEqual(['2 RunCompleted']);
    await hub.close();
    expect(log).toEqual(['2 RunCompleted', 'close null']);
  });
});
