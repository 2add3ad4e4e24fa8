/**
 * pg-boss (PostgreSQL) as its docs build a pipeline: one queue per step (`createQueue`), one
 * `work` handler per queue that `send`s (here `insert`s, the batch form of send) the next step's
 * job, in this process. A run is finished when its last step's job is `completed` in pg-boss's
 * job table.
 *
 * Tuning, so that pg-boss is not held back by its defaults (2 s polls, one job per fetch):
 * - LISTEN/NOTIFY on (`useListenNotify`, every queue `notify: true`): a send wakes the queue's
 *   workers at once; polling (at its minimum, 0.5 s) is only the backstop.
 * - `batchSize` 32 with `burstWhenBatchFull` (fetch again at once while batches come back full)
 *   and `localConcurrency` 2 per queue: a handler call takes a batch, completes it in one
 *   statement and sends the next steps in one insert.
 * - `transactional`: the handler's sends commit in the same transaction as the batch's
 *   completion, so a step never completes without its successor queued (as in Sagaflow;
 *   graphile-worker's `helpers.addJob` gives no such guarantee, see graphile.ts).
 *
 * - W1: a → b → c.
 * - W2: the submit writes a join row (remaining = 10), then sends ten `fan` jobs (two statements,
 *   not one transaction, as in graphile.ts; Sagaflow's POST /v1/runs is one); each fan batch
 *   decrements its runs' rows (`update … returning remaining`, runs in ascending order so two
 *   batches cannot deadlock) and sends `join` for those that reach 0, all in its transaction.
 * - W4: reserve → charge → ship. ship's queue has `retryLimit: 0` and pg-boss's dead-letter
 *   queue option `deadLetter: 'undo-charge'`: when ship fails for good, pg-boss itself copies
 *   the job into undo-charge, in the statement that fails it. undo-charge → undo-reserve.
 *   (pg-boss sends no NOTIFY for a dead-lettered job, so undo-charge's workers find it on their
 *   next poll, up to 0.5 s later: part of what this workload measures.)
 */
import { PgBoss, type Db, type Job } from 'pg-boss';
import {
  createDatabase,
  databaseUrl,
  dropDatabase,
  ownCpuMicros,
  pollFinished,
  runAll,
  uniqueId,
  type Installation,
  type PeerSystem,
  type Workload,
} from './common.js';

const BATCH_SIZE = Number(process.env.PEERS_PGBOSS_BATCH ?? 32);
const LOCAL_CONCURRENCY = Number(process.env.PEERS_PGBOSS_CONCURRENCY ?? 2);
const WORK_OPTIONS = {
  batchSize: BATCH_SIZE,
  localConcurrency: LOCAL_CONCURRENCY,
  pollingIntervalSeconds: 0.5,
  notifyPollingIntervalSeconds: 0.5,
  burstWhenBatchFull: true,
  transactional: true,
} as const;
const SHIP_FAILURE = 'ship fails for good';

interface RunData {
  run: number;
}

type Handler = (jobs: Job<RunData>[], tx: Db) => Promise<void>;

export const pgboss: PeerSystem = {
  name: 'pgboss',
  cpuScope: 'this process (workers, submit loop); PostgreSQL not counted',
  async install(workload: Workload): Promise<Installation> {
    const dbName = `peers_pgboss_${uniqueId()}`;
    await createDatabase(dbName);
    const boss = new PgBoss({
      connectionString: databaseUrl(dbName),
      // Transactional handlers hold a connection each while they run: 2 per queue, 5 queues.
      max: 24,
      useListenNotify: true,
      schedule: false,
    });
    let failure: Error | null = null;
    boss.on('error', (err) => (failure ??= err instanceof Error ? err : new Error(String(err))));
    let started = false;
    let closing: Promise<void> | null = null;
    const close = () =>
      (closing ??= runAll([
        async () => {
          if (started) await boss.stop({ graceful: false, timeout: 5000 });
        },
        () => dropDatabase(dbName),
      ]));

    const q = (step: string) => `${workload.id.toLowerCase()}-${step}`;
    const pass =
      (next: string): Handler =>
      async (jobs, tx) => {
        await boss.insert(
          q(next),
          jobs.map((j) => ({ data: j.data })),
          { db: tx },
        );
      };
    const noop: Handler = async () => undefined;
    let first: string;
    let last: string;
    let submitOne: (data: RunData) => Promise<void>;

    try {
      await boss.start();
      started = true;
      const queue = (step: string, options: { retryLimit?: number; deadLetter?: string } = {}) =>
        boss.createQueue(q(step), { notify: true, ...options });
      const handlers: Array<[string, Handler]> = [];
      switch (workload.id) {
        case 'W1':
          handlers.push(['a', pass('b')], ['b', pass('c')], ['c', noop]);
          for (const [step] of handlers) await queue(step);
          [first, last] = [q('a'), q('c')];
          submitOne = async (data) => void (await boss.send(first, data));
          break;
        case 'W2': {
          await boss
            .getDb()
            .executeSql('create table peers_join (run int primary key, remaining int not null)');
          const fan: Handler = async (jobs, tx) => {
            const perRun = new Map<number, number>();
            for (const j of jobs) perRun.set(j.data.run, (perRun.get(j.data.run) ?? 0) + 1);
            const ready: RunData[] = [];
            for (const [run, n] of [...perRun].sort((x, y) => x[0] - y[0])) {
              const { rows } = await tx.executeSql(
                'update peers_join set remaining = remaining - $2 where run = $1 returning remaining',
                [run, n],
              );
              if ((rows[0] as { remaining: number } | undefined)?.remaining === 0) ready.push({ run });
            }
            if (ready.length > 0)
              await boss.insert(
                q('join'),
                ready.map((data) => ({ data })),
                { db: tx },
              );
          };
          handlers.push(['fan', fan], ['join', noop]);
          for (const [step] of handlers) await queue(step);
          [first, last] = [q('fan'), q('join')];
          submitOne = async (data) => {
            await boss
              .getDb()
              .executeSql('insert into peers_join (run, remaining) values ($1, 10)', [data.run]);
            await boss.insert(
              first,
              Array.from({ length: 10 }, () => ({ data })),
            );
          };
          break;
        }
        case 'W4':
          handlers.push(
            ['reserve', pass('charge')],
            ['charge', pass('ship')],
            ['ship', () => Promise.reject(new Error(SHIP_FAILURE))],
            ['undo-charge', pass('undo-reserve')],
            ['undo-reserve', noop],
          );
          // The dead-letter queue must exist before the queue that names it.
          await queue('undo-charge');
          await queue('undo-reserve');
          await queue('reserve');
          await queue('charge');
          await queue('ship', { retryLimit: 0, deadLetter: q('undo-charge') });
          [first, last] = [q('reserve'), q('undo-reserve')];
          submitOne = async (data) => void (await boss.send(first, data));
          break;
      }
      for (const [step, handler] of handlers) {
        await boss.work<RunData, void, typeof WORK_OPTIONS>(q(step), WORK_OPTIONS, handler);
      }
    } catch (err) {
      await close();
      throw err;
    }

    const expectedFailures = workload.id === 'W4' ? q('ship') : '';
    let lastFinishedAt = 0;
    return {
      async submit(index) {
        await submitOne({ run: index });
      },
      async waitForFinished(count) {
        await pollFinished(count, async () => {
          if (failure) throw failure;
          const { rows } = await boss.getDb().executeSql(
            `select count(*) filter (where name = $1 and state = 'completed')::int as done,
                    count(*) filter (where state in ('failed', 'retry') and name <> $2)::int as bad,
                    max(completed_on) filter (where name = $1) as last
             from pgboss.job`,
            [last, expectedFailures],
          );
          const row = rows[0] as { done: number; bad: number; last: Date | null };
          if (row.bad > 0) throw new Error(`pg-boss: ${row.bad} jobs failed unexpectedly`);
          lastFinishedAt = row.last ? row.last.getTime() : 0;
          return row.done;
        });
        return lastFinishedAt;
      },
      cpuMicros: ownCpuMicros,
      close,
    };
  },
};
