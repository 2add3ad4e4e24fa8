/**
 * One pass of a workload (`BENCH_WORKLOAD`: W1 chain-3, W2 fan-out 10 + join, W4 a saga that
 * compensates; workloads.ts): `BENCH_RUNS` runs started at `BENCH_RATE` runs/s by a client
 * process through the running system (real PostgreSQL and RabbitMQ, default durability), beside
 * the raw ceilings of the same services and, for W1, the read-side figures, measured in the same
 * run. Where the roles run is `BENCH_PROCESS_LAYOUT` (topology.ts): by default api, relay and
 * orchestrator in this process, with the worker too unless `BENCH_WORKER_PROCESSES` puts it in
 * children. Run by `w1-pass.ts`, one process per pass, so that tracing is on or off from the
 * start of the process (see bench.ts).
 */
import pg from 'pg';
import { passCeilings } from './ceilings.js';
import { base, benchInstallation, type BenchInstallation } from './installation.js';
import { measure, waitForTerminal } from './measure.js';
import { lineFrom, spawnScript } from './processes.js';
import { printReadFigures, readSideFigures } from './read-figures.js';
import { post } from './rest.js';
import { round } from './stats.js';
import { childTopology, inProcessTopology, parseLayout, type Topology } from './topology.js';
import { taskTypes, workloadFromEnv, type Workload } from './workloads.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3000);
/** Runs started per second by the client (a separate process). */
const RATE = Number(process.env.BENCH_RATE ?? 350);
/** Worker processes beside the pass's own (api, relay, orchestrator); 0 puts the worker role in it. */
const WORKER_PROCESSES = Number(process.env.BENCH_WORKER_PROCESSES ?? 0);
const LAYOUT = parseLayout(process.env.BENCH_PROCESS_LAYOUT);
/** BENCH_READS=false skips the read-side figures (GET from the cache, WebSocket fan-out, lists). */
const READS = process.env.BENCH_READS !== 'false';

export type WorkloadResult = Awaited<ReturnType<typeof measuredPass>>;

/** Runs the workload; logs its figures and returns the result object of the final JSON line. */
export async function runWorkload(): Promise<WorkloadResult> {
  const workload = workloadFromEnv();
  const installation = benchInstallation();
  let topology: Topology | null = null;
  try {
    topology = await startTopology(workload, installation);
    return await measuredPass(workload, installation, topology);
  } finally {
    await topology?.close();
    await installation.remove(['echo', 'http', ...taskTypes(workload)]);
  }
}

async function measuredPass(workload: Workload, installation: BenchInstallation, topology: Topology) {
  const pool = new pg.Pool({ connectionString: installation.databaseUrl, max: 2 });
  console.log(
    `${workload.label}: ${RUNS} runs at ${RATE} runs/s (${RUNS * workload.tasksPerRun} tasks); ${topology.describe}`,
  );
  try {
    await post(`${topology.url}/v1/definitions`, { name: workload.definition, tasks: workload.tasks });
    // Warm up: one run through every hop, so JIT and connections are not on the clock.
    await post(`${topology.url}/v1/runs`, { definition: workload.definition });
    await waitForTerminal(pool, workload, 1, topology.failure);

    const commitsBefore = await xactCommits(installation);
    const usageBefore = await topology.usage();
    const client = spawnScript('load-client', {
      BENCH_URL: topology.url,
      BENCH_RUNS: String(RUNS),
      BENCH_RATE: String(RATE),
      BENCH_DEFINITION: workload.definition,
    });
    const { startedAt: started, submittedAt } = JSON.parse(await lineFrom(client)) as {
      startedAt: number;
      submittedAt: number;
    };
    await waitForTerminal(pool, workload, RUNS + 1, topology.failure);
    const usage = await topology.usage();
    const commits = (await xactCommits(installation)) - commitsBefore;
    const figures = await measure(pool, workload, started);
    const reads =
      READS && topology.app && workload.id === 'W1' ? await readSideFigures(topology.app, pool) : null;
    // The raw ceilings run after the workload, on the same services, so their garbage is not in rssMb.
    const ceiling = await passCeilings(installation.databaseUrl, base.amqpUrl, installation.prefix);
    const tasks = RUNS * workload.tasksPerRun;
    const result = {
      workload: workload.definition,
      runs: RUNS,
      tasksPerRun: workload.tasksPerRun,
      tasksPerSec: round(tasks / figures.seconds, 1),
      workflowsPerSec: round(RUNS / figures.seconds, 1),
      readyToStartMs: figures.readyToStart,
      stepGapMs: figures.stepGap,
      commitsPerTask: round(commits / tasks, 3),
      /** CPU of every Sagaflow process of the pass (this one and its role children) per task. */
      cpuMsPerTask: round((usage.cpuMicros - usageBefore.cpuMicros) / 1000 / tasks, 3),
      messagesPerTask: round((usage.published - usageBefore.published) / tasks, 3),
      ceiling: { amqpMsgsPerSec: ceiling.amqpMsgsPerSec, pgCommitsPerSec: ceiling.pgCommitsPerSec },
      rssMb: round(usage.rssMb, 1),
      processes: topology.describe,
      ...(reads ? { getRunCacheHit: reads.getRun, wsFanOut: reads.fanOut } : {}),
      ...(reads?.lists ? { listRuns: reads.lists } : {}),
    };
    console.log(
      `submitted in ${round((submittedAt - started) / 1000)} s; all ${workload.terminal} after ${round(figures.seconds)} s`,
    );
    printFigures(workload, result, ceiling.measured);
    if (reads) printReadFigures(reads);
    return result;
  } finally {
    await pool.end();
  }
}

function startTopology(workload: Workload, installation: BenchInstallation): Promise<Topology> {
  const options = { installation, failHandler: workload.id === 'W4' };
  return LAYOUT.length > 0 ? childTopology(options, LAYOUT) : inProcessTopology(options, WORKER_PROCESSES);
}

function printFigures(
  workload: Workload,
  r: Omit<WorkloadResult, 'getRunCacheHit'>,
  measured: boolean,
): void {
  const perRun = workload.tasksPerRunNote
    ? ` (${workload.tasksPerRun} tasks per run: ${workload.tasksPerRunNote})`
    : '';
  console.log(
    `${workload.id}: ${r.tasksPerSec} tasks/s, ${r.workflowsPerSec} runs/s${perRun}; ` +
      `ready→start p50 ${r.readyToStartMs.p50} / p99 ${r.readyToStartMs.p99} ms, ` +
      `step gap p50 ${r.stepGapMs.p50} / p99 ${r.stepGapMs.p99} ms; ` +
      `${r.cpuMsPerTask} ms node CPU, ${r.commitsPerTask} commits, ${r.messagesPerTask} messages per task`,
  );
  const { pgCommitsPerSec, amqpMsgsPerSec } = r.ceiling;
  if (pgCommitsPerSec === 0 || amqpMsgsPerSec === 0) return;
  console.log(
    `ceilings${measured ? '' : ' (measured in the first pass)'}: PostgreSQL ${pgCommitsPerSec} commits/s, ` +
      `RabbitMQ ${amqpMsgsPerSec} msgs/s; tasks/s ÷ PostgreSQL commits/s = ${round(r.tasksPerSec / pgCommitsPerSec, 3)}, ` +
      `tasks/s ÷ (RabbitMQ msgs/s ÷ 2) = ${round(r.tasksPerSec / (amqpMsgsPerSec / 2), 3)}`,
  );
}

async function xactCommits(installation: BenchInstallation): Promise<number> {
  return installation.admin(async (c) => {
    const { rows } = await c.query<{ n: string }>(
      'select xact_commit as n from pg_stat_database where datname = $1',
      [installation.dbName],
    );
    return Number(rows[0]?.n ?? 0);
  });
}
