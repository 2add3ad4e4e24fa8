/**
 * `npm run bench:peers` — Sagaflow beside three job systems that are often used for the same
 * work, on the same services: BullMQ (Redis), pg-boss and graphile-worker (PostgreSQL). Three
 * workloads, the same work on every system, handlers that only return (or throw):
 *
 * - W1 chain-3: a → b → c (3 tasks per run).
 * - W2 fan-out 10 + join: ten parallel tasks, then a join after all ten (11).
 * - W4 saga that compensates: reserve → charge → ship, ship fails for good, then undo-charge,
 *   then undo-reserve (5 task executions).
 *
 * Each figure is capacity: `PEERS_RUNS` runs (default 1000 for W1 and W4, 300 for W2) submitted
 * as fast as the system takes them, `PEERS_CONCURRENCY` (64) submits in flight, timed from the
 * first submit to the last run's finish, after a short warm-up. Every pass gets a fresh
 * installation (database, key prefix, queues), deleted after it. Within each of `PEERS_ROUNDS`
 * rounds (default 3) every workload runs on every system once, the order of the systems
 * rotating from round to round so that drift in the machine's load spreads over all of them;
 * the table shows medians over the rounds, and Sagaflow ÷ peer of tasks/s. `PEERS_SYSTEMS`
 * (comma list) runs a subset, `PEERS_WORKLOADS` (e.g. `W1,W4`) likewise.
 *
 * CPU per task is node's CPU in the system's own process(es): the Sagaflow child (from /proc),
 * or this process for the in-process peers (their client calls included). The services
 * (PostgreSQL, Redis, RabbitMQ) are not counted for anyone. The last line is one JSON object.
 *
 * Other knobs: `PEERS_CONCURRENCY` (64), `PEERS_WARMUP_RUNS` (20), `PEERS_STALL_MS` (60000: a
 * pass whose runs stop finishing fails), and per peer `PEERS_BULLMQ_CONCURRENCY` (50),
 * `PEERS_PGBOSS_BATCH` (32), `PEERS_PGBOSS_CONCURRENCY` (2), `PEERS_GRAPHILE_CONCURRENCY` (20),
 * `PEERS_GRAPHILE_LOCAL_QUEUE` (concurrency + 1; -1 is off), `PEERS_GRAPHILE_BATCH_DELAY` (-1).
 * How each system implements the workloads is in its file (sagaflow.ts, bullmq.ts, pgboss.ts,
 * graphile.ts).
 */
import { bullmq } from './bullmq.js';
import {
  SYSTEM_NAMES,
  WORKLOADS,
  type Installation,
  type PeerSystem,
  type SystemName,
  type Workload,
  type WorkloadId,
} from './common.js';
import { graphile } from './graphile.js';
import { pgboss } from './pgboss.js';
import { sagaflow } from './sagaflow.js';
import { round } from '../stats.js';

const ROUNDS = Math.max(1, Number(process.env.PEERS_ROUNDS ?? 3));
const CONCURRENCY = Math.max(1, Number(process.env.PEERS_CONCURRENCY ?? 64));
const WARMUP_RUNS = Math.max(1, Number(process.env.PEERS_WARMUP_RUNS ?? 20));
const RUNS_OVERRIDE = process.env.PEERS_RUNS ? Number(process.env.PEERS_RUNS) : null;

const ALL: Record<SystemName, PeerSystem> = { sagaflow, bullmq, pgboss, graphile };
const systems = selected(process.env.PEERS_SYSTEMS, SYSTEM_NAMES, 'PEERS_SYSTEMS').map((n) => ALL[n]);
const workloads = selected(
  process.env.PEERS_WORKLOADS,
  WORKLOADS.map((w) => w.id),
  'PEERS_WORKLOADS',
).map((id) => WORKLOADS.find((w) => w.id === id)!);

interface PassResult {
  runs: number;
  tasks: number;
  wallSec: number;
  submitSec: number;
  runsPerSec: number;
  tasksPerSec: number;
  cpuMsPerTask: number;
}

/** The installation of the pass under way, closed on SIGINT/SIGTERM too. */
let active: Installation | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void (active?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

function runsOf(workload: Workload): number {
  return RUNS_OVERRIDE ?? workload.defaultRuns;
}

/** Starts `count` runs from `offset`, at most CONCURRENCY submits in flight. */
async function submitAll(installation: Installation, count: number, offset: number): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(CONCURRENCY, count) }, async () => {
    while (next < count) {
      const index = offset + next;
      next += 1;
      await installation.submit(index);
    }
  });
  await Promise.all(lanes);
}

async function pass(system: PeerSystem, workload: Workload): Promise<PassResult> {
  const runs = runsOf(workload);
  const installation = await system.install(workload);
  active = installation;
  try {
    // Warm-up: every hop once (JIT, connections, prepared statements) before the clock starts.
    await submitAll(installation, WARMUP_RUNS, 0);
    await installation.waitForFinished(WARMUP_RUNS);
    const cpuBefore = installation.cpuMicros();
    const startedAt = Date.now();
    await submitAll(installation, runs, WARMUP_RUNS);
    const submitSec = (Date.now() - startedAt) / 1000;
    const finishedAt = await installation.waitForFinished(WARMUP_RUNS + runs);
    const cpuMs = (installation.cpuMicros() - cpuBefore) / 1000;
    const wallSec = Math.max(finishedAt - startedAt, 1) / 1000;
    const tasks = runs * workload.tasksPerRun;
    return {
      runs,
      tasks,
      wallSec: round(wallSec, 3),
      submitSec: round(submitSec, 3),
      runsPerSec: round(runs / wallSec, 1),
      tasksPerSec: round(tasks / wallSec, 1),
      cpuMsPerTask: round(cpuMs / tasks, 3),
    };
  } finally {
    active = null;
    await installation.close();
  }
}

const passes = new Map<string, PassResult[]>();
const key = (w: WorkloadId, s: SystemName) => `${w}/${s}`;

console.log(
  `peers: ${systems.map((s) => s.name).join(', ')} × ${workloads.map((w) => `${w.id} (${runsOf(w)} runs)`).join(', ')}; ` +
    `${ROUNDS} round(s), ${CONCURRENCY} submits in flight, ${WARMUP_RUNS} warm-up runs per pass`,
);
for (let r = 0; r < ROUNDS; r++) {
  for (const [wi, workload] of workloads.entries()) {
    // Rotate by round (and workload, so that no system is always first after a workload change).
    const shift = (r + wi) % systems.length;
    const order = [...systems.slice(shift), ...systems.slice(0, shift)];
    for (const system of order) {
      const result = await pass(system, workload);
      const list = passes.get(key(workload.id, system.name)) ?? [];
      list.push(result);
      passes.set(key(workload.id, system.name), list);
      console.log(
        `round ${r + 1} ${workload.id} ${system.name.padEnd(8)} ${String(result.tasksPerSec).padStart(8)} tasks/s ` +
          `${String(result.runsPerSec).padStart(7)} runs/s  ${result.cpuMsPerTask} CPU ms/task  ` +
          `${result.wallSec} s (submitted in ${result.submitSec} s)`,
      );
    }
  }
}

const summary: Record<string, unknown> = {};
const lines: string[] = [];
const header =
  `${'workload'.padEnd(26)}${'system'.padEnd(10)}${'tasks/s'.padStart(9)}${'runs/s'.padStart(9)}` +
  `${'CPU ms/task'.padStart(13)}${'wall s'.padStart(9)}${'sagaflow ÷'.padStart(12)}`;
for (const workload of workloads) {
  const medians = new Map<SystemName, ReturnType<typeof medianOf>>();
  for (const system of systems)
    medians.set(system.name, medianOf(passes.get(key(workload.id, system.name))!));
  const ours = medians.get('sagaflow');
  const perSystem: Record<string, unknown> = {};
  for (const system of systems) {
    const m = medians.get(system.name)!;
    const ratio = ours && system.name !== 'sagaflow' ? round(ours.tasksPerSec / m.tasksPerSec, 3) : null;
    perSystem[system.name] = {
      ...m,
      sagaflowRatio: ratio,
      cpuScope: system.cpuScope,
      passes: passes.get(key(workload.id, system.name)),
    };
    lines.push(
      `${(system === systems[0] ? `${workload.id} ${workload.name}` : '').padEnd(26)}${system.name.padEnd(10)}` +
        `${String(m.tasksPerSec).padStart(9)}${String(m.runsPerSec).padStart(9)}` +
        `${String(m.cpuMsPerTask).padStart(13)}${String(m.wallSec).padStart(9)}` +
        `${(ratio === null ? '' : `${ratio}×`).padStart(12)}`,
    );
  }
  summary[workload.id] = {
    name: workload.name,
    runs: runsOf(workload),
    tasksPerRun: workload.tasksPerRun,
    ...perSystem,
  };
}
console.log(`\nmedians of ${ROUNDS} round(s); sagaflow ÷ = Sagaflow's tasks/s ÷ the system's`);
console.log(header);
for (const line of lines) console.log(line);
console.log(
  JSON.stringify({
    bench: 'peers',
    rounds: ROUNDS,
    concurrency: CONCURRENCY,
    warmUpRuns: WARMUP_RUNS,
    systems: systems.map((s) => s.name),
    workloads: summary,
  }),
);

function medianOf(results: PassResult[]) {
  return {
    tasksPerSec: median(results.map((r) => r.tasksPerSec)),
    runsPerSec: median(results.map((r) => r.runsPerSec)),
    cpuMsPerTask: median(
      results.map((r) => r.cpuMsPerTask),
      3,
    ),
    wallSec: median(
      results.map((r) => r.wallSec),
      3,
    ),
  };
}

function median(values: number[], digits = 1): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : round((sorted[mid - 1]! + sorted[mid]!) / 2, digits);
}

function selected<T extends string>(value: string | undefined, all: readonly T[], variable: string): T[] {
  if (!value?.trim()) return [...all];
  const names = value.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !all.includes(n as T));
  if (unknown.length > 0)
    throw new Error(`${variable}: unknown ${unknown.join(', ')} (known: ${all.join(', ')})`);
  return all.filter((n) => names.includes(n));
}
