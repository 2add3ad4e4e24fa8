import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { RunEventHub } from '../../../src/application/live/run-event-hub.js';
import { NotFoundError } from '../../../src/application/errors.js';
import type { FeedItem } from '../../../src/application/ports/run-event-feed.js';
import { LiveWorld, settle, settleAll } from './support/live-world.js';

const RUN = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';

function hubOf(world: LiveWorld, options: ConstructorParameters<typeof RunEventHub>[3] = {}) {
  return new RunEventHub(
    world,
    world.readModel(),
    (error) => {
      throw error;
    },
    { pollMs: 60_000, pageSize: 3, ...options },
  );
}

const seqs = (items: FeedItem[]) => items.map((i) => i.event.seq);

describe('RunEventHub', () => {
  it('replays history after `after`, then goes live, each event once', async () => {
    const world = new LiveWorld();
    world.addRun(RUN, 'd');
    for (let i = 0; i < 7; i++) world.commit(RUN);
    const hub = hubOf(world);
    const got: FeedItem[] = [];
    await hub.subscribeRun('default', RUN, 2, { next: (item) => got.push(item) });
    const live = world.commit(RUN);
    world.publish([live]);
    await settleAll();
    expect(seqs(got)).toEqual([3, 4, 5, 6, 7, 8]);
    await hub.close();
  });

  it('rejects an unknown run with NotFoundError', async () => {
    const hub = hubOf(new LiveWorld());
    await expect(hub.subscribeRun('default', RUN, 0, { next: () => undefined })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await hub.close();
  });

  it('keeps namespaces apart: a foreign run is unknown, a definition hears its own namespace only', async () => {
    const world = new LiveWorld();
    world.addRun(RUN, 'd', 'team-a');
    world.addRun(OTHER, 'd', 'team-b');
    world.commit(RUN);
    const hub = hubOf(world);
    await expect(hub.subscribeRun('team-b', RUN, 0, { next: () => undefined })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const heardByB: FeedItem[] = [];
    await hub.subscribeDefinition('team-b', 'd', { next: (item) => heardByB.push(item) });
    world.publish([world.commit(RUN), world.commit(OTHER)]);
    await settleAll();
    expect(heardByB.map((i) => [i.namespace, i.runId])).toEqual([['team-b', OTHER]]);
    await hub.close();
  });

  it('live-only subscriptions start at the current last event', async () => {
    const world = new LiveWorld();
    world.addRun(RUN, 'd');
    world.commit(RUN);
    world.commit(RUN);
    const hub = hubOf(world);
    const got: FeedItem[] = [];
    await hub.subscribeRun('default', RUN, null, { next: (item) => got.push(item) });
    world.publish([world.commit(RUN)]);
    await settleAll();
    expect(seqs(got)).toEqual([3]);
    await hub.close();
  });

  it('a lost batch is repaired by the poll of quiet runs', async () => {
    const world = new LiveWorld();
    world.addRun(RUN, 'd');
    const hub = hubOf(world, { pollMs: 20 });
    const got: FeedItem[] = [];
    await hub.subscribeRun('default', RUN, 0, { next: (item) => got.push(item) });
    world.commit(RUN); // committed, never published: the publisher died
    world.commit(RUN, 'RunCompleted');
    while (got.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seqs(got)).toEqual([1, 2]);
    await hub.close();
  });

  it('property: any interleaving of lost, duplicated and reordered live batches yields 1..N once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 10 }),
        fc.array(fc.constantFrom('deliver', 'drop', 'duplicate', 'hold'), { minLength: 30, maxLength: 30 }),
        fc.integer({ min: 0, max: 29 }),
        async (total, preexisting, fates, subscribeAt) => {
          const world = new LiveWorld();
          world.addRun(RUN, 'd');
          world.addRun(OTHER, 'd');
          const hub = hubOf(world);
          const got: FeedItem[] = [];
          const defGot: FeedItem[] = [];
          const pre = Math.min(preexisting, total);
          for (let i = 0; i < pre; i++) world.commit(RUN);
          const after = Math.min(subscribeAt, pre);
          await hub.subscribeRun('default', RUN, after, { next: (item) => got.push(item) });
          await hub.subscribeDefinition('default', 'd', { next: (item) => defGot.push(item) });
          const held: FeedItem[] = [];
          for (let i = pre; i < total; i++) {
            const item = world.commit(RUN);
            world.publish([world.commit(OTHER)]);
            const fate = fates[i] ?? 'deliver';
            if (fate === 'deliver') world.publish([item]);
            if (fate === 'duplicate') world.publish([item, item]);
            if (fate === 'hold') held.push(item);
            if (i % 3 === 0) await settle();
          }
          world.publish(held.reverse());
          // The final event always arrives live, so every gap is noticed and filled.
          world.publish([world.commit(RUN, 'RunCompleted')]);
          await settleAll();
          const expected = Array.from({ length: total + 1 - after }, (_, i) => after + i + 1);
          expect(seqs(got)).toEqual(expected);
          const defSeqs = seqs(defGot.filter((i) => i.runId === RUN));
          expect(new Set(defSeqs).size).toBe(defSeqs.length);
          expect(defSeqs).toEqual([...defSeqs].sort((a, b) => a - b));
          await hub.close();
        },
      ),
      {
        numRuns: 200,
        examples: [
          // A gap revealed between the last history page and the end of its read was lost.
          [11, 10, [...Array<string>(10).fill('deliver'), 'drop', ...Array<string>(19).fill('deliver')], 2],
        ],
      },
    );
  });

  it('one history read serves every subscriber of a run', async () => {
    const world = new LiveWorld();
    world.addRun(RUN, 'd');
    const hub = hubOf(world, { pageSize: 100 });
    const counts = [0, 0, 0];
    for (const i of [0, 1, 2]) await hub.subscribeRun('default', RUN, 0, { next: () => (counts[i]! += 1) });
    world.commit(RUN);
    world.commit(RUN);
    const before = world.historyReads;
    world.publish([world.commit(RUN)]); // seq 3 arrives first: 1 and 2 are missing
    await settleAll();
    expect(counts).toEqual([3, 3, 3]);
    expect(world.historyReads - before).toBe(1);
    await hub.close();
  });

  it('a sink that throws is cut off without disturbing the others', async () => {
    const world = new LiveWorld();
    world.addRun(RUN, 'd');
    const hub = hubOf(world);
    const good: FeedItem[] = [];
    let closedWith: Error | null = null;
    await hub.subscribeRun('default', RUN, 0, {
      next: () => {
        throw new Error('socket gone');
      },
      close: (reason) => (closedWith = reason),
    });
    await hub.subscribeRun('default', RUN, 0, { next: (item) => good.push(item) });
    world.publish([world.commit(RUN)]);
    world.publish([world.commit(RUN)]);
    await settleAll();
    expect(seqs(good)).toEqual([1, 2]);
    expect(closedWith).toEqual(new Error('socket gone'));
    await hub.close();
  });
});
