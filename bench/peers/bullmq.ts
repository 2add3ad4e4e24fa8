/**
 * BullMQ (Redis) as its docs build workflows: a FlowProducer adds each run as one flow, a tree
 * of jobs whose parents wait in `waiting-children` until their children complete, one queue per
 * step and one Worker per queue (concurrency 50), in this process. A run is finished when a
 * worker reports its root job completed.
 *
 * - W1: `c` is the parent of `b`, the parent of `a` (children run first: a, then b, then c).
 * - W2: `join` is the parent of ten children in one queue.
 * - W4: `ship` parent of `charge` parent of `reserve`; ship throws `UnrecoverableError` (no
 *   retry), and the ship worker's `failed` event adds the compensation flow `undo-reserve`
 *   parent of `undo-charge`. (That event is in memory: BullMQ has no durable hook for "a job
 *   failed for good", so a crash between the failure and the add loses the compensation.)
 */
import { FlowProducer, UnrecoverableError, Worker, type FlowJob, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import {
  Completion,
  deleteRedisKeys,
  ownCpuMicros,
  runAll,
  uniqueId,
  type Installation,
  type PeerSystem,
  type Workload,
} from './common.js';

const CONCURRENCY = Number(process.env.PEERS_BULLMQ_CONCURRENCY ?? 50);
const SHIP_FAILURE = 'ship fails for good';

interface RunData {
  run: number;
}

export const bullmq: PeerSystem = {
  name: 'bullmq',
  cpuScope: 'this process (workers, flow producer, submit loop); Redis not counted',
  async install(workload: Workload): Promise<Installation> {
    const prefix = `peers_bull_${uniqueId()}`;
    // BullMQ's ESM build cannot load ioredis by itself: it takes a client instance, which it
    // duplicates for each worker's blocking connection and leaves for us to close.
    const connection = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null });
    const flows = new FlowProducer({ connection, prefix });
    const workers: Worker[] = [];
    const completion = new Completion();
    const q = (step: string) => `${workload.id.toLowerCase()}-${step}`;

    const work = (step: string, processor: (job: Job<RunData>) => Promise<unknown>): Worker => {
      const worker = new Worker<RunData>(q(step), processor, {
        connection,
        prefix,
        concurrency: CONCURRENCY,
      });
      worker.on('error', (err) => completion.fail(err));
      worker.on('failed', (job, err) => {
        if (err.message !== SHIP_FAILURE)
          completion.fail(new Error(`bullmq: ${job?.name} failed: ${err.message}`));
      });
      workers.push(worker);
      return worker;
    };
    const noop = async () => null;

    let flowOf: (data: RunData) => FlowJob;
    let root: Worker;
    switch (workload.id) {
      case 'W1':
        work('a', noop);
        work('b', noop);
        root = work('c', noop);
        flowOf = (data) => ({
          name: 'c',
          queueName: q('c'),
          data,
          children: [
            { name: 'b', queueName: q('b'), data, children: [{ name: 'a', queueName: q('a'), data }] },
          ],
        });
        break;
      case 'W2':
        work('fan', noop);
        root = work('join', noop);
        flowOf = (data) => ({
          name: 'join',
          queueName: q('join'),
          data,
          children: Array.from({ length: 10 }, (_, i) => ({ name: `t${i}`, queueName: q('fan'), data })),
        });
        break;
      case 'W4': {
        work('reserve', noop);
        work('charge', noop);
        const ship = work('ship', () => Promise.reject(new UnrecoverableError(SHIP_FAILURE)));
        work('undo-charge', noop);
        root = work('undo-reserve', noop);
        ship.on('failed', (job) => {
          if (!job) return;
          flows
            .add({
              name: 'undo-reserve',
              queueName: q('undo-reserve'),
              data: job.data,
              children: [{ name: 'undo-charge', queueName: q('undo-charge'), data: job.data }],
            })
            .catch((err: unknown) => completion.fail(err));
        });
        flowOf = (data) => ({
          name: 'ship',
          queueName: q('ship'),
          data,
          children: [
            {
              name: 'charge',
              queueName: q('charge'),
              data,
              children: [{ name: 'reserve', queueName: q('reserve'), data }],
            },
          ],
        });
        break;
      }
    }
    root.on('completed', () => completion.finish());

    let closing: Promise<void> | null = null;
    const close = () =>
      (closing ??= runAll([
        () => Promise.all(workers.map((w) => w.close(true))),
        () => flows.close(),
        () => connection.quit(),
        () => deleteRedisKeys(`${prefix}:`),
      ]));
    try {
      await Promise.all([flows.waitUntilReady(), ...workers.map((w) => w.waitUntilReady())]);
    } catch (err) {
      await close();
      throw err;
    }
    return {
      async submit(index) {
        await flows.add(flowOf({ run: index }));
      },
      waitForFinished: (count) => completion.wait(count),
      cpuMicros: ownCpuMicros,
      close,
    };
  },
};
