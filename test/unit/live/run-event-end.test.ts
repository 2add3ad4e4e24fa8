import { describe, expect, it } from '@jest/globals';
import { RunEventHub } from '../../../src/application/live/run-event-hub.js';
import { TERMINAL_EVENT_TYPES } from '../../../src/application/live/terminal-events.js';
import type { FeedItem, FeedSink } from '../../../src/application/ports/run-event-feed.js';
import { LiveWorld, settleAll } from './support/live-world.js';

const RUN = '00000000-0000-4000-8000-000000000001';

/** One run, `d`, of the shared live world: `next` commits its next event, `send` publishes a batch. */
class World extends LiveWorld {
  constructor() {
    super();
    this.addRun(RUN, 'd');
  }

  next(type: string): FeedItem {
    return this.commit(RUN, type);
  }

  send(...items: FeedItem[]): void {
    this.publish(items);
  }
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
    world.next('RunStarted');
    const hub = hubOf(world);
    const { log, sink } = recorder();
    await hub.subscribeRun('default', RUN, 0, sink);
    world.send(world.next('TaskQueued'), world.next(terminal));
    world.send(world.next('RunRetried'));
    await settleAll();
    expect(log).toEqual(['1 RunStarted', '2 TaskQueued', `3 ${terminal}`, 'end 3']);
    await hub.close();
  });

  it('replays a finished run from after and ends; at or past its last event it ends at once', async () => {
    const world = new World();
    for (const type of ['RunStarted', 'TaskQueued', 'TaskStarted', 'TaskCompleted', 'RunCompleted']) {
      world.next(type);
    }
    const hub = hubOf(world);
    const replay = recorder();
    await hub.subscribeRun('default', RUN, 2, replay.sink);
    await settleAll();
    expect(replay.log).toEqual(['3 TaskStarted', '4 TaskCompleted', '5 RunCompleted', 'end 5']);
    for (const after of [5, 9]) {
      const atHead = recorder();
      await hub.subscribeRun('default', RUN, after, atHead.sink);
      expect(atHead.log).toEqual(['end 5']);
    }
    await hub.close();
  });

  it('does not end at a terminal event that a retry has already followed', async () => {
    const world = new World();
    for (const type of ['RunStarted', 'TaskFailed', 'RunFailed', 'RunRetried', 'TaskQueued'])
      world.next(type);
    const hub = hubOf(world);
    const { log, sink } = recorder();
    await hub.subscribeRun('default', RUN, 0, sink);
    await settleAll();
    world.send(world.next('TaskCompleted'), world.next('RunCompleted'));
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
    world.next('RunStarted');
    world.next('RunFailed');
    const hub = hubOf(world);
    const open = recorder(false);
    await hub.subscribeRun('default', RUN, 0, open.sink);
    const going = recorder();
    world.next('RunRetried');
    await hub.subscribeRun('default', RUN, 3, going.sink);
    world.send(world.next('TaskQueued'));
    await settleAll();
    expect(open.log).toEqual(['1 RunStarted', '2 RunFailed', '3 RunRetried', '4 TaskQueued']);
    expect(going.log).toEqual(['4 TaskQueued']);
    await hub.close();
    expect(open.log.at(-1)).toBe('close null');
    expect(going.log.at(-1)).toBe('close null');
  });

  it('does not end a definition subscription with one of its runs', async () => {
    const world = new World();
    world.next('RunStarted');
    const hub = hubOf(world);
    const { log, sink } = recorder();
    await hub.subscribeDefinition('default', 'd', sink);
    world.send(world.next('RunCompleted'));
    await settleAll();
    expect(log).toEqual(['2 RunCompleted']);
    await hub.close();
    expect(log).toEqual(['2 RunCompleted', 'close null']);
  });
});
