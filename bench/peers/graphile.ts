/**
 * graphile-worker (PostgreSQL) as its docs run it: `run()` with a task list (one task per step)
 * and a concurrency of 20 in this process, each task adding the next step's job with
 * `helpers.addJob`, submits through `makeWorkerUtils().addJob`. New jobs wake the pool through
 * LISTEN/NOTIFY (graphile-worker's default); the pool fetches jobs in batches into a local queue
 * (see LOCAL_QUEUE). A run is finished when the runner's `job:complete` event reports its last
 * step's job written back without error.
 *
 * Note that `helpers.addJob` runs on a pool connection of its own, not in a transaction with the
 * job's completion: a crash between the two runs the step again and adds its successor twice.
 *
 * - W1: a → b → c.
 * - W2: the submit writes a join row (remaining = 10), then adds ten `fan` jobs (`addJobs`; two
 *   statements, not one transaction); each fan task decrements the row (`update … returning
 *   remaining`, through the job's helpers) and adds `join` when it reaches 0.
 * - W4: reserve → charge → ship, ship added with `maxAttempts: 1`. ship's task catches its own
 *   failure, adds `undo-charge` and rethrows, so the job fails for good (graphile-worker keeps it
 *   as permanently failed). undo-charge → undo-reserve.
 */
import {
  Logger,
  makeWorkerUtils,
  run,
  type Runner,
  type Task,
  type TaskList,
  type WorkerUtils,
} from 'graphile-worker';
import pg from 'pg';
import {
  Completion,
  createDatabase,
  databaseUrl,
  dropDatabase,
  ownCpuMicros,
  runAll,
  uniqueId,
  type Installation,
  type PeerSystem,
  type Workload,
} from './common.js';

const CONCURRENCY = Number(process.env.PEERS_GRAPHILE_CONCURRENCY ?? 20);
/**
 * graphile-worker's batching (its docs, "Performance"): a local queue of `concurrency + 1` jobs
 * fetched at once, the docs' suggested start, which doubled its throughput here on W1 and W2;
 * `-1` turns it off (graphile-worker's default). Batched completions (`completeJobBatchDelay`)
 * made no consistent difference and stay off unless set.
 */
const LOCAL_QUEUE = Number(process.env.PEERS_GRAPHILE_LOCAL_QUEUE ?? CONCURRENCY + 1);
const COMPLETE_BATCH_DELAY = Number(process.env.PEERS_GRAPHILE_BATCH_DELAY ?? -1);
const SHIP_FAILURE = 'ship fails for good';

interface RunData {
  run: number;
}

/** graphile-worker logs every failed attempt as an error: shown, except W4's expected ones. */
const logger = new Logger(() => (level, message) => {
  if ((level === 'error' || level === 'warning') && !message.includes(SHIP_FAILURE)) {
    console.error(`[graphile-worker] ${message}`);
  }
});

export const graphile: PeerSystem = {
  name: 'graphile',
  cpuScope: 'this process (runner, worker utils, submit loop); PostgreSQL not counted',
  async install(workload: Workload): Promise<Installation> {
    const dbName = `peers_graphile_${uniqueId()}`;
    const connectionString = databaseUrl(dbName);
    await createDatabase(dbName);
    const completion = new Completion();
    let utils: WorkerUtils | null = null;
    let runner: Runner | null = null;
    // Pools of our own: graphile-worker ends the pools it makes without waiting for them, so the
    // database could not be dropped cleanly after it. Idle clients' errors are ignored, as
    // graphile-worker's own handlers would (it logs them).
    const pools: pg.Pool[] = [];
    const newPool = (max: number) => {
      const pool = new pg.Pool({ connectionString, max });
      pool.on('error', () => undefined);
      pool.on('connect', (client) => client.on('error', () => undefined));
      pools.push(pool);
      return pool;
    };
    let closing: Promise<void> | null = null;
    const close = () =>
      (closing ??= runAll([
        async () => void (await runner?.stop()),
        async () => void (await utils?.release()),
        () => Promise.all(pools.map((p) => p.end())),
        () => dropDatabase(dbName),
      ]));

    const t = (step: string) => `${workload.id.toLowerCase()}_${step.replace('-', '_')}`;
    const pass =
      (next: string): Task =>
      async (payload, helpers) => {
        await helpers.addJob(t(next), payload);
      };
    const noop: Task = async () => undefined;
    const taskList: TaskList = {};
    let last: string;
    let submitOne: (u: WorkerUtils, data: RunData) => Promise<void>;
    switch (workload.id) {
      case 'W1':
        Object.assign(taskList, { [t('a')]: pass('b'), [t('b')]: pass('c'), [t('c')]: noop });
        last = t('c');
        submitOne = async (u, data) => void (await u.addJob(t('a'), data));
        break;
      case 'W2': {
        const fan: Task = async (payload, helpers) => {
          const { rows } = await helpers.query<{ remaining: number }>(
            'update peers_join set remaining = remaining - 1 where run = $1 returning remaining',
            [(payload as RunData).run],
          );
          if (rows[0]?.remaining === 0) await helpers.addJob(t('join'), payload);
        };
        Object.assign(taskList, { [t('fan')]: fan, [t('join')]: noop });
        last = t('join');
        submitOne = async (u, data) => {
          await u.withPgClient((c) =>
            c.query('insert into peers_join (run, remaining) values ($1, 10)', [data.run]),
          );
          await u.addJobs(Array.from({ length: 10 }, () => ({ identifier: t('fan'), payload: data })));
        };
        break;
      }
      case 'W4': {
        const ship: Task = async (payload, helpers) => {
          try {
            throw new Error(SHIP_FAILURE);
          } catch (err) {
            await helpers.addJob(t('undo-charge'), payload);
            throw err;
          }
        };
        Object.assign(taskList, {
          [t('reserve')]: pass('charge'),
          [t('charge')]: (async (payload, helpers) => {
            await helpers.addJob(t('ship'), payload, { maxAttempts: 1 });
          }) satisfies Task,
          [t('ship')]: ship,
          [t('undo-charge')]: pass('undo-reserve'),
          [t('undo-reserve')]: noop,
        });
        last = t('undo-reserve');
        submitOne = async (u, data) => void (await u.addJob(t('reserve'), data));
        break;
      }
    }

    try {
      // graphile-worker's default pool size (10) for the submits.
      utils = await makeWorkerUtils({ pgPool: newPool(10), logger });
      await utils.migrate();
      if (workload.id === 'W2') {
        await utils.withPgClient((c) =>
          c.query('create table peers_join (run int primary key, remaining int not null)'),
        );
      }
      runner = await run({
        // The docs' advice: at least concurrency + 2; the tasks' addJob and query use it too.
        pgPool: newPool(CONCURRENCY + 10),
        concurrency: CONCURRENCY,
        noHandleSignals: true,
        logger,
        taskList,
        crontab: '',
        preset: {
          worker: {
            localQueue: { size: LOCAL_QUEUE },
            completeJobBatchDelay: COMPLETE_BATCH_DELAY,
            failJobBatchDelay: COMPLETE_BATCH_DELAY,
          },
        },
      });
      runner.events.on('job:complete', ({ job, error }) => {
        if (job.task_identifier === last && error == null) completion.finish();
      });
      runner.events.on('job:error', ({ job, error }) => {
        if (job.task_identifier !== t('ship')) {
          completion.fail(new Error(`graphile-worker: ${job.task_identifier} failed: ${String(error)}`));
        }
      });
    } catch (err) {
      await close();
      throw err;
    }
    const workerUtils = utils;
    return {
      async submit(index) {
        await submitOne(workerUtils, { run: index });
      },
      waitForFinished: (count) => completion.wait(count),
      cpuMicros: ownCpuMicros,
      close,
    };
  },
};
