import { describe, expect, it } from '@jest/globals';
import { SnapshotRefresher } from '../../../../src/interfaces/cli/watch/snapshot-refresher.js';

/** A load whose answers the test hands out one by one. */
function controlledLoad() {
  const pending: { resolve: (value: number) => void; reject: (error: Error) => void }[] = [];
  const load = () => new Promise<number>((resolve, reject) => pending.push({ resolve, reject }));
  return { load, pending };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('SnapshotRefresher', () => {
  it('folds the requests made during a read into one more read', async () => {
    const { load, pending } = controlledLoad();
    const delivered: number[] = [];
    const refresher = new SnapshotRefresher(
      load,
      (v) => delivered.push(v),
      () => undefined,
    );
    refresher.request();
    refresher.request();
    refresher.request();
    expect(pending).toHaveLength(1);
    pending[0]!.resolve(1);
    await flush();
    expect(pending).toHaveLength(2); // one more, for the requests made while the first was out
    refresher.request();
    pending[1]!.resolve(2);
    await flush();
    expect(pending).toHaveLength(3);
    pending[2]!.resolve(3);
    await refresher.idle();
    expect(delivered).toEqual([1, 2, 3]);
    expect(pending).toHaveLength(3);
  });

  it('reports a failed read and reads again at the next request', async () => {
    const { load, pending } = controlledLoad();
    const delivered: number[] = [];
    const failures: unknown[] = [];
    const refresher = new SnapshotRefresher(
      load,
      (v) => delivered.push(v),
      (e) => failures.push(e),
    );
    refresher.request();
    pending[0]!.reject(new Error('API restarting'));
    await refresher.idle();
    expect(failures).toEqual([new Error('API restarting')]);
    refresher.request();
    pending[1]!.resolve(7);
    await refresher.idle();
    expect(delivered).toEqual([7]);
  });

  it('delivers nothing once stopped', async () => {
    const { load, pending } = controlledLoad();
    const delivered: number[] = [];
    const refresher = new SnapshotRefresher(
      load,
      (v) => delivered.push(v),
      () => undefined,
    );
    refresher.request();
    refresher.request();
    refresher.stop();
    pending[0]!.resolve(1);
    await refresher.idle();
    refresher.request();
    expect(pending).toHaveLength(1);
    expect(delivered).toEqual([]);
  });
});
