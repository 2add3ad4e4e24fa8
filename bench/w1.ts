/**
 * Workload W1: N runs of a 3-task chain of `noop` tasks started at a steady rate through the
 * running system (all roles, real PostgreSQL and RabbitMQ, default durability), beside the raw
 * ceilings of the same services and the read-side figures, measured in the same run. Run by
 * `w1-pass.ts`, one process per pass, so that tracing is on or off from the start of the process
 * (see bench.ts).
 */
import { createApp } from '../src/app/create-app.js';
import { benchLogging } from './logging.js';
import { base, benchInstallation } from './installation.js';
import { amqpCeiling, pgCeiling } from './ceilings.js';
import { lineFrom, spawnScript } from './processes.js';
import { round, summary } from './stats.js';
import { getRunCacheHit } from './read-side.js';
import { wsFanOut } from './ws-fanout.js';
import { listAtScale } from './list-scale.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3000);
/** Runs started per second by the client (a separate process). */
const RATE = Number(process.env.BENCH_RATE ?? 350);
/** Worker processes beside the main one (api, relay, orchestrator); 0 puts the worker role in it. */
const WORKER_PROCESSES = Number(process.env.BENCH_WORKER_PROCESSES ?? 0);
const TASKS_PER_RUN = 3;
/** BENCH_CEILINGS=false skips the raw ceilings (for profiling the workload alone). */
const CEILINGS = process.env.BENCH_CEILINGS !== 'false';
/** BENCH_READS=false skips the read-side figures (GET from the cache, WebSocket fan-out). */
const READS = process.env.BENCH_READS !== 'false';
/** Seconds of each HTTP load pass of the read-side figures. */
const READ_SECONDS = Number(process.env.BENCH_READ_SECONDS ?? 5);
/** WebSocket watchers of the fan-out figure, and the runs they watch. */
const WS_SUBSCRIBERS = Number(process.env.BENCH_WS_SUBSCRIBERS ?? 1000);
const WS_RUNS = Number(process.env.BENCH_WS_RUNS ?? 50);
/** Rows the runs table grows to for the list-at-scale figure (0 skips it). */
const LIST_RUNS = Number(process.env.BENCH_LIST_RUNS ?? 1_000_000);

export type W1Result = Awaited<ReturnType<typeof runW1>>;

const installation = benchInstallation();
const { dbName, prefix, admin } = installation;
const databaseUrl = new URL(installation.databaseUrl);

/** Runs the workload; logs its figures and returns the result object of the final JSON line. */
export async function runW1() {
  console.log(
    `W1 chain3: ${RUNS} runs at ${RATE} runs/s (${RUNS * TASKS_PER_RUN} tasks); ` +
      `api+relay+orchestrator${WORKER_PROCESSES === 0 ? '+worker' : ''} in one process` +
      (WORKER_PROCESSES > 0 ? `, ${WORKER_PROCESSES} worker process(es)` : ''),
  );
  const env = { DATABASE_URL: databaseUrl.toString(), SAGAFLOW_AMQP_PREFIX: prefix };
  const app = await createApp(
    {
      port: 0,
      databaseUrl: databaseUrl.toString(),
      amqpPrefix: prefix,
      redisPrefix: `${prefix}:`,
      roles: new Set([
        'api',
        'relay',
        'orchestrator',
        ...(WORKER_PROCESSES === 0 ? (['worker'] as const) : []),
      ]),
      ...benchLogging.config,
    },
    benchLogging.options,
  );
  const url = app.url!;
  const workers = Array.from({ length: WORKER_PROCESSES }, () => spawnScript('worker-process', env));
  try {
    await Promise.all(workers.map((w) => lineFrom(w, (line) => line === 'ready')));
    await post(`${url}/v1/definitions`, {
      name: 'chain3',
      tasks: [
        { key: 'a', type: 'noop' },
        { key: 'b', type: 'noop', dependsOn: ['a'] },
        { key: 'c', type: 'noop', dependsOn: ['b'] },
      ],
    });
    // Warm up: one run through every hop, so JIT and connections are not on the clock.
    await post(`${url}/v1/runs`, { definition: 'chain3' });
    await waitForCompleted(1);

    const commitsBefore = await xactCommits();
    const cpuBefore = process.cpuUsage();
    const messagesBefore = app.runtime.publisher.publishedCount;
    const client = spawnScript('load-client', {
      BENCH_URL: url,
      BENCH_RUNS: String(RUNS),
      BENCH_RATE: String(RATE),
    });
    const { startedAt: started, submittedAt } = JSON.parse(await lineFrom(client)) as {
      startedAt: number;
      submittedAt: number;
    };
    const submittedIn = (submittedAt - started) / 1000;
    await waitForCompleted(RUNS + 1);
    const cpu = process.cpuUsage(cpuBefore);
    const commits = (await xactCommits()) - commitsBefore;
    const workerReports = await Promise.all(
      workers.map((w) => {
        const report = lineFrom(w, (line) => line.startsWith('{'));
        w.kill('SIGTERM');
        return report.then((line) => JSON.parse(line) as { published: number; rssMb: number });
      }),
    );
    // Worker processes were started before the warm-up run: subtract its one result message.
    const warmUpResults = workers.length > 0 ? TASKS_PER_RUN : 0;
    const messages =
      app.runtime.publisher.publishedCount -
      messagesBefore +
      workerReports.reduce((sum, r) => sum + r.published, 0) -
      warmUpResults;
    const figures = await measure(started);
    const rssMb = round(
      process.memoryUsage().rss / 1024 / 1024 + workerReports.reduce((sum, r) => sum + r.rssMb, 0),
      1,
    );
    const reads = READS ? await readSideFigures() : null;
    // The raw ceilings run after the workload, on the same services, so their garbage is not in rssMb.
    const pgCommitsPerSec = CEILINGS ? await pgCeiling(databaseUrl.toString()) : 0;
    const amqpMsgsPerSec = CEILINGS ? await amqpCeiling(base.amqpUrl, prefix) : 0;
    if (CEILINGS) {
      console.log(
        `ceilings: PostgreSQL ${Math.round(pgCommitsPerSec)} commits/s, RabbitMQ ${Math.round(amqpMsgsPerSec)} msgs/s`,
      );
    }
    const tasks = RUNS * TASKS_PER_RUN;
    const result = {
      workload: 'chain3',
      runs: RUNS,
      tasksPerSec: round(tasks / figures.seconds, 1),
      workflowsPerSec: round(RUNS / figures.seconds, 1),
      readyToStartMs: figures.readyToStart,
      stepGapMs: figures.stepGap,
      commitsPerTask: round(commits / tasks, 3),
      /** CPU of this process (api, relay, orchestrator and, without worker processes, worker) per task. */
      cpuMsPerTask: round((cpu.user + cpu.system) / 1000 / tasks, 3),
      messagesPerTask: round(messages / tasks, 3),
      ceiling: { amqpMsgsPerSec: Math.round(amqpMsgsPerSec), pgCommitsPerSec: Math.round(pgCommitsPerSec) },
      rssMb,
      ...(reads ? { getRunCacheHit: reads.getRun, wsFanOut: reads.fanOut } : {}),
      ...(reads?.lists ? { listRuns: reads.lists } : {}),
    };
    console.log(`submitted in ${round(submittedIn)} s; all completed after ${round(figures.seconds)} s`);
    if (CEILINGS) {
      console.log(
        `ratios: tasks/s ÷ PostgreSQL commits/s = ${round(result.tasksPerSec / pgCommitsPerSec, 3)}, ` +
          `tasks/s ÷ (RabbitMQ msgs/s ÷ 2) = ${round(result.tasksPerSec / (amqpMsgsPerSec / 2), 3)}`,
      );
    }
    if (reads) {
      console.log(
        `GET run (cache hit): ${reads.getRun.requestsPerSec} req/s vs bare Fastify ` +
          `${reads.getRun.bareFastifyRequestsPerSec} req/s = ${reads.getRun.ratio}×`,
      );
      if (reads.fanOut)
        console.log(
          `WebSocket fan-out to ${reads.fanOut.subscribers} watchers: ${reads.fanOut.eventsPerSec} events/s vs ` +
            `bare ws ${reads.fanOut.bareWsEventsPerSec} events/s = ${reads.fanOut.ratio}×`,
        );
    }
    if (reads?.lists) {
      console.log(
        `list runs: p50 ${reads.lists.p50MsBefore} ms at ${reads.lists.runsBefore} runs, ` +
          `${reads.lists.p50MsAfter} ms at ${reads.lists.runsAfter} runs = ${reads.lists.ratio}×`,
      );
    }
    return result;
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    await app.close();
    await installation.remove();
  }

  async function readSideFigures() {
    const { rows } = await sqlRows<{ id: string }>(app.runtime.db(), 'select id from runs limit 1');
    const getRun = await getRunCacheHit(app, rows[0]!.id, READ_SECONDS);
    const fanOut =
      WS_SUBSCRIBERS <= 0
        ? null
        : await wsFanOut(app, WS_SUBSCRIBERS, WS_RUNS, async (definition, count) => {
            for (;;) {
              const done = await sqlRows<{ n: string; events: string }>(
                app.runtime.db(),
                `select count(*) filter (where status = 'COMPLETED') as n, coalesce(sum(last_seq), 0) as events
           from runs where definition_name = '${definition}'`,
              );
              if (Number(done.rows[0]!.n) >= count) {
                const sample = await sqlRows<{
                  run_id: string;
                  seq: number;
                  type: string;
                  at: Date;
                  data: unknown;
                }>(
                  app.runtime.db(),
                  `select e.run_id, e.seq, e.type, e.at, e.data from run_events e join runs r on r.id = e.run_id
             where r.definition_name = '${definition}' and e.type = 'TaskCompleted' limit 1`,
                );
                const e = sample.rows[0]!;
                const event = {
                  seq: e.seq,
                  type: e.type,
                  taskKey: 'a',
                  attempt: 1,
                  at: new Date(e.at).toISOString(),
                  data: e.data,
                };
                return {
                  events: Number(done.rows[0]!.events),
                  sampleFrame: JSON.stringify({ type: 'event', runId: e.run_id, event }),
                };
              }
              await new Promise((resolve) => setTimeout(resolve, 50));
            }
          });
    const lists =
      LIST_RUNS > 0
        ? await listAtScale(
            app,
            LIST_RUNS,
            async (text) => void (await sqlRows(app.runtime.db(), text)),
            async () =>
              Number(
                (await sqlRows<{ n: string }>(app.runtime.db(), 'select count(*) as n from runs')).rows[0]!.n,
              ),
          )
        : null;
    return { getRun, fanOut, lists };
  }

  async function waitForCompleted(expected: number): Promise<void> {
    const db = app.runtime.db();
    for (;;) {
      const { rows } = await sqlRows<{ n: string; bad: string }>(
        db,
        `select count(*) filter (where status = 'COMPLETED') as n, count(*) filter (where status not in ('COMPLETED','RUNNING')) as bad from runs`,
      );
      if (Number(rows[0]!.bad) > 0) throw new Error(`${rows[0]!.bad} runs did not complete`);
      if (Number(rows[0]!.n) >= expected) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function measure(startedAt: number) {
    const db = app.runtime.db();
    const end = await sqlRows<{ last: string }>(
      db,
      `select max(finished_at) as last from runs where created_at >= to_timestamp(${startedAt / 1000})`,
    );
    const seconds = (new Date(end.rows[0]!.last).getTime() - startedAt) / 1000;
    const ready = await sqlRows<{ ms: number }>(
      db,
      `select extract(epoch from t.started_at - t.queued_at) * 1000 as ms from task_runs t join runs r on r.id = t.run_id
       where r.created_at >= to_timestamp(${startedAt / 1000})`,
    );
    const gaps = await sqlRows<{ ms: number }>(
      db,
      `select extract(epoch from n.started_at - p.finished_at) * 1000 as ms
       from task_runs n join task_runs p on p.run_id = n.run_id and
         ((n.key = 'b' and p.key = 'a') or (n.key = 'c' and p.key = 'b'))
       join runs r on r.id = n.run_id where r.created_at >= to_timestamp(${startedAt / 1000})`,
    );
    return {
      seconds,
      readyToStart: summary(ready.rows.map((r) => Number(r.ms))),
      stepGap: summary(gaps.rows.map((r) => Number(r.ms))),
    };
  }

  async function xactCommits(): Promise<number> {
    return admin(async (c) => {
      const { rows } = await c.query<{ n: string }>(
        'select xact_commit as n from pg_stat_database where datname = $1',
        [dbName],
      );
      return Number(rows[0]?.n ?? 0);
    });
  }
}

async function post(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function sqlRows<T>(
  db: ReturnType<Awaited<ReturnType<typeof createApp>>['runtime']['db']>,
  text: string,
) {
  const { sql } = await import('kysely');
  return sql<T>`${sql.raw(text)}`.execute(db);
}
