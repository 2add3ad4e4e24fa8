/**
 * W5, overload, in a pass (process and database) of its own. Sagaflow runs in child processes
 * (role-process.ts; every role in one unless `BENCH_PROCESS_LAYOUT` says otherwise), so that a
 * crash is seen and reported rather than taking the pass with it, and their RSS is read from
 * /proc every second.
 * 1. Capacity: `BENCH_W5_CAPACITY_RUNS` (2,000) W1 runs submitted as fast as
 *    `BENCH_W5_CONCURRENCY` (64) clients allow, each waiting for its answer; peak = their tasks
 *    ÷ the time to the last one's end. (More clients do not raise it: the api then takes the
 *    event loop from the orchestrator while the burst is accepted.) Measured here rather than taken from the W1 pass because
 *    that one usually runs below capacity and in another process layout; `BENCH_W5_PEAK` (tasks/s)
 *    skips the probe.
 * 2. Overload: W1 runs open-loop at `BENCH_W5_OVERLOAD` (1.5) × peak for `BENCH_W5_SECONDS` (60)
 *    by overload-client.ts, which counts 201/429/503/other/errors and their latencies and never
 *    has more than `BENCH_W5_MAX_INFLIGHT` (2,000) requests open.
 * Figures: tasks that finished inside the window (SQL, by finished_at) per second ÷ peak (target
 * ≥ 0.9), the answers, RSS at the start, maximum and end of the window and its slope over the
 * last third, crashes, and the backlog of runs still underway at the end. Last stdout line: JSON.
 */
import pg from 'pg';
import type { Role } from '../src/infrastructure/config/app-config.js';
import { benchInstallation } from './installation.js';
import { measure, runsUnderway, tasksFinishedBetween, waitForTerminal } from './measure.js';
import { lineFrom, spawnScript } from './processes.js';
import { RssWatch } from './rss-watch.js';
import { round } from './stats.js';
import { childTopology, parseLayout, type Topology } from './topology.js';
import { post } from './rest.js';
import { WORKLOADS } from './workloads.js';

const SECONDS = Number(process.env.BENCH_W5_SECONDS ?? 60);
const CAPACITY_RUNS = Number(process.env.BENCH_W5_CAPACITY_RUNS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_W5_CONCURRENCY ?? 64);
const OVERLOAD = Number(process.env.BENCH_W5_OVERLOAD ?? 1.5);
const MAX_INFLIGHT = Number(process.env.BENCH_W5_MAX_INFLIGHT ?? 2000);
const GIVEN_PEAK = Number(process.env.BENCH_W5_PEAK ?? 0);
const TARGET = 0.9;
const ALL_ROLES: Role[] = ['api', 'relay', 'orchestrator', 'worker'];
const workload = WORKLOADS.W1;

interface Answer {
  count: number;
  p50Ms: number;
  p99Ms: number;
}
interface ClientReport {
  startedAt: number;
  endedAt: number;
  settledAt: number;
  offered: number;
  sent: number;
  clientShed: number;
  peakInflight: number;
  classes: Record<'201' | '429' | '503' | 'other' | 'error', Answer>;
  otherStatuses: Record<string, number>;
  latency201P50ByThirdMs: number[];
  retryAfter: { count: number; medianS: number | null };
}

/** Tasks/s the pass sustains when the client is not what limits it. */
async function capacity(topology: Topology, pool: pg.Pool): Promise<number> {
  const before = await runsCount(pool);
  const client = spawnScript('load-client', {
    BENCH_URL: topology.url,
    BENCH_RUNS: String(CAPACITY_RUNS),
    BENCH_CONCURRENCY: String(CONCURRENCY),
    BENCH_DEFINITION: workload.definition,
  });
  const { startedAt } = JSON.parse(await lineFrom(client)) as { startedAt: number };
  await waitForTerminal(pool, workload, before + CAPACITY_RUNS, topology.failure);
  // Like W1's tasks/s: every task of the burst ÷ the time from the first submission to the last
  // run's end, so accepting the runs is part of what the capacity pays for, as in the overload.
  const { seconds } = await measure(pool, workload, startedAt);
  const peak = round((CAPACITY_RUNS * workload.tasksPerRun) / seconds, 1);
  console.log(
    `W5 capacity: ${CAPACITY_RUNS} runs from ${CONCURRENCY} clients done in ${round(seconds)} s = ${peak} tasks/s`,
  );
  return peak;
}

async function runsCount(pool: pg.Pool): Promise<number> {
  return (await pool.query<{ n: number }>('select count(*)::int as n from runs')).rows[0]!.n;
}

async function overload(topology: Topology, pool: pg.Pool, peak: number) {
  const rate = round((OVERLOAD * peak) / workload.tasksPerRun, 1);
  console.log(
    `W5 overload: ${rate} runs/s (${OVERLOAD}× ${peak} tasks/s) open-loop for ${SECONDS} s, ` +
      `at most ${MAX_INFLIGHT} requests open; ${topology.describe}`,
  );
  const rss = new RssWatch(topology.pids);
  const client = spawnScript('overload-client', {
    BENCH_URL: topology.url,
    BENCH_RATE: String(rate),
    BENCH_SECONDS: String(SECONDS),
    BENCH_MAX_INFLIGHT: String(MAX_INFLIGHT),
    BENCH_DEFINITION: workload.definition,
  });
  const report = JSON.parse(await lineFrom(client)) as ClientReport;
  rss.stop();
  const { startedAt: from, endedAt: to } = report;
  const finished = await tasksFinishedBetween(pool, from, to);
  const completedTasksPerSec = round(finished / ((to - from) / 1000), 1);
  return {
    seconds: round((to - from) / 1000, 1),
    offeredRunsPerSec: rate,
    offeredTasksPerSec: round(rate * workload.tasksPerRun, 1),
    completedTasksPerSec,
    ratioToPeak: round(completedTasksPerSec / peak, 3),
    answers: report.classes,
    otherStatuses: report.otherStatuses,
    clientShed: report.clientShed,
    peakInflight: report.peakInflight,
    latency201P50ByThirdMs: report.latency201P50ByThirdMs,
    retryAfterMedianS: report.retryAfter.medianS,
    retryAfterCount: report.retryAfter.count,
    rssMb: rss.figures(from, to),
    runsUnderwayAtEnd: await runsUnderway(pool),
  };
}

function print(r: Awaited<ReturnType<typeof overload>> & { peakTasksPerSec: number }, crashed: unknown[]) {
  const answer = (name: string, a: Answer) =>
    `${name} ${a.count}${a.count > 0 ? ` (p50 ${a.p50Ms} / p99 ${a.p99Ms} ms)` : ''}`;
  const { answers: a } = r;
  console.log(
    `W5: ${r.completedTasksPerSec} tasks/s completed in the window = ${r.ratioToPeak} of peak ` +
      `${r.peakTasksPerSec} (target ≥ ${TARGET}${r.ratioToPeak >= TARGET ? ', met' : ', missed'})`,
  );
  console.log(
    `W5 answers: ${answer('201', a['201'])}, ${answer('429', a['429'])}, ${answer('503', a['503'])}, ` +
      `${answer('other', a.other)}, ${answer('errors', a.error)}; client-shed ${r.clientShed}; ` +
      `201 p50 by third ${r.latency201P50ByThirdMs.join(' → ')} ms; ` +
      `Retry-After median ${r.retryAfterMedianS === null ? '–' : `${r.retryAfterMedianS} s`}`,
  );
  const m = r.rssMb;
  console.log(
    `W5 RSS: ${m ? `${m.start} MB at start, ${m.max} max, ${m.end} at end; last third ${m.slopeMbPerMinLastThird} MB/min (${m.growingInLastThird ? 'still growing' : 'flat'})` : 'too few samples'}; ` +
      `crashed: ${crashed.length === 0 ? 'none' : JSON.stringify(crashed)}; ${r.runsUnderwayAtEnd} runs still underway at the end`,
  );
  const { BENCH_CEILING_PG: pgCommits, BENCH_CEILING_AMQP: amqpMsgs } = process.env;
  if (pgCommits && amqpMsgs)
    console.log(
      `ceilings (measured in the first pass): PostgreSQL ${pgCommits} commits/s, RabbitMQ ${amqpMsgs} msgs/s`,
    );
}

const installation = benchInstallation('overload');
const layout = parseLayout(process.env.BENCH_PROCESS_LAYOUT);
let topology: Topology | null = null;
try {
  topology = await childTopology(
    { installation, failHandler: false },
    layout.length > 0 ? layout : [ALL_ROLES],
  );
  const result = await overloadPass(topology);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await topology?.close();
  await installation.remove();
}
process.exit(0);

async function overloadPass(topology: Topology) {
  const pool = new pg.Pool({ connectionString: installation.databaseUrl, max: 2 });
  try {
    await post(`${topology.url}/v1/definitions`, { name: workload.definition, tasks: workload.tasks });
    await post(`${topology.url}/v1/runs`, { definition: workload.definition });
    await waitForTerminal(pool, workload, 1, topology.failure);
    const peakTasksPerSec = GIVEN_PEAK > 0 ? GIVEN_PEAK : await capacity(topology, pool);
    const figures = { peakTasksPerSec, ...(await overload(topology, pool, peakTasksPerSec)) };
    const crashed = topology.crashes();
    print(figures, crashed);
    return {
      workload: workload.definition,
      ...figures,
      peakFrom: GIVEN_PEAK > 0 ? 'BENCH_W5_PEAK' : `${CAPACITY_RUNS} runs from ${CONCURRENCY} clients`,
      target: TARGET,
      crashed,
      processes: topology.describe,
      // Not measured here (the services are busy with the backlog): the first pass's, if given.
      ceiling: {
        amqpMsgsPerSec: Number(process.env.BENCH_CEILING_AMQP ?? 0),
        pgCommitsPerSec: Number(process.env.BENCH_CEILING_PG ?? 0),
      },
    };
  } finally {
    await pool.end();
  }
}
