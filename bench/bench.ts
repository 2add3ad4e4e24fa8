/**
 * `npm run bench` — the workloads of issue 12, each pass in a fresh process and database, then
 * the comparisons. `BENCH_WORKLOADS` (default `W1,W2,W4,W5,MP`) picks which workloads run:
 * - W1 chain-3 (a → b → c, `noop`), `BENCH_RUNS` runs at `BENCH_RATE` runs/s; its figures stay
 *   at the top level of the last line, as before. The raw ceilings (PostgreSQL commits/s,
 *   RabbitMQ msgs/s) and the read-side figures are measured in the first pass only; later passes
 *   reprint the ceilings beside their own figures.
 * - W2 fan-out 10 + join and W4 a saga that compensates (its `ship` fails, reserve and charge are
 *   undone), by default with as many tasks and tasks/s as W1 (`BENCH_W2_RUNS`, `BENCH_W2_RATE`,
 *   `BENCH_W4_RUNS`, `BENCH_W4_RATE` override); workloads.ts.
 * - W5 overload: capacity, then W1 open-loop at 1.5× it for `BENCH_W5_SECONDS` (overload.ts).
 * - MP: W1 with api, relay+orchestrator and worker as three OS processes (`BENCH_PROCESS_LAYOUT`).
 * They land under `workloads` ({ W2, W4, W5, multiProcess }) in the last line.
 *
 * W1 then runs again with tracing on (every span recorded and exported over OTLP/HTTP to a no-op
 * receiver in this process); `tracing` in the last line gives the traced pass's tasks/s and its
 * ratio to the untraced one (`BENCH_TRACING=false` skips it). BENCH_RATE above the system's
 * capacity (e.g. 700) compares capacity; at the default rate both passes usually keep up and the
 * ratio shows only whether tracing makes the system fall behind.
 *
 * `BENCH_BASELINE=<git ref>` also runs the untraced W1 pass of that ref's build (baseline.ts),
 * alternating old and new passes `BENCH_BASELINE_ROUNDS` times (default 3), and prints under
 * `baseline` the medians and the ratio new ÷ old of tasks/s and of CPU per task.
 *
 * Last, W3 (a 1,000-task DAG) and the memory of 10,000 parked runs, in a pass of their own
 * (scale.ts; `BENCH_SCALE=false` skips it), under `scale`.
 */
import type { ChildProcess } from 'node:child_process';
import { prepareBaseline } from './baseline.js';
import { spawnScript } from './processes.js';
import { OtlpSink } from './otlp-sink.js';
import { round } from './stats.js';
import { WORKLOADS as DEFINED } from './workloads.js';
import type { WorkloadResult as W1Result } from './workload.js';

const TRACING = process.env.BENCH_TRACING !== 'false';
const WORKLOADS = new Set(
  (process.env.BENCH_WORKLOADS ?? 'W1,W2,W4,W5,MP').split(',').map((w) => w.trim().toUpperCase()),
);
for (const w of WORKLOADS) {
  if (!['W1', 'W2', 'W4', 'W5', 'MP'].includes(w))
    throw new Error(`BENCH_WORKLOADS: unknown workload "${w}"`);
}
const RUNS = Number(process.env.BENCH_RUNS ?? 3000);
const RATE = Number(process.env.BENCH_RATE ?? 350);

/** Runs one pass, echoing its lines; resolves with its result (its last line). */
async function pass<T = W1Result>(
  label: string,
  env: Record<string, string>,
  spawnPass: (env: Record<string, string>) => ChildProcess = (e) => spawnScript('w1-pass', e),
): Promise<T> {
  const child = spawnPass(env);
  let last = '';
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('{')) last = line;
      else console.log(`[${label}] ${line}`);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0 || last === '') throw new Error(`bench pass "${label}" failed (exit code ${code})`);
  return JSON.parse(last) as T;
}

/**
 * On a shared machine one pass of each can differ by more than tracing costs:
 * BENCH_TRACING_ROUNDS=n alternates n untraced and n traced passes and compares the medians.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_TRACING_ROUNDS ?? 1));
const untraced = { OTEL_SDK_DISABLED: 'true' };
/**
 * The raw ceilings and the read-side figures are about other things: measured once, in the first
 * pass; the passes after it are handed the ceilings to print beside their figures.
 */
let later: Record<string, string> = {};
function measuredOnce(result: W1Result): void {
  later = {
    BENCH_CEILINGS: 'false',
    BENCH_READS: 'false',
    BENCH_CEILING_PG: String(result.ceiling.pgCommitsPerSec),
    BENCH_CEILING_AMQP: String(result.ceiling.amqpMsgsPerSec),
  };
}

/** A workload pass (workload.ts) of `workload`; the first one measures the ceilings. */
async function workloadPass(label: string, env: Record<string, string>): Promise<W1Result> {
  const first = Object.keys(later).length === 0;
  const result = await pass(label, { ...untraced, ...later, ...env });
  if (first) measuredOnce(result);
  return result;
}

/** W2 and W4 default to W1's tasks and tasks/s, so the three offer the system the same load. */
function sized(id: 'W2' | 'W4', tasksPerRun: number): Record<string, string> {
  const runs = process.env[`BENCH_${id}_RUNS`] ?? String(Math.max(1, Math.round((RUNS * 3) / tasksPerRun)));
  const rate = process.env[`BENCH_${id}_RATE`] ?? String(Math.round(((RATE * 3) / tasksPerRun) * 10) / 10);
  return { BENCH_WORKLOAD: id, BENCH_RUNS: runs, BENCH_RATE: rate };
}
// W4 logs a warning for every failed `ship`; quieter unless LOG_LEVEL asks for them.
const quietFailures: Record<string, string> = process.env.LOG_LEVEL ? {} : { LOG_LEVEL: 'error' };

const w1 = { BENCH_WORKLOAD: 'W1' };
const off = WORKLOADS.has('W1') ? await workloadPass('W1', w1) : null;
const workloads: Record<string, unknown> = {};
if (WORKLOADS.has('W2')) workloads.W2 = await workloadPass('W2', sized('W2', DEFINED.W2.tasksPerRun));
if (WORKLOADS.has('W4'))
  workloads.W4 = await workloadPass('W4', { ...sized('W4', DEFINED.W4.tasksPerRun), ...quietFailures });
if (WORKLOADS.has('W5'))
  workloads.W5 = await pass<Record<string, unknown>>('W5', { ...untraced, ...later }, (e) =>
    spawnScript('overload', e),
  );
if (WORKLOADS.has('MP')) {
  workloads.multiProcess = await workloadPass('MP', {
    ...w1,
    BENCH_PROCESS_LAYOUT: 'api;relay,orchestrator;worker',
  });
}
let tracing: Record<string, unknown> | null = null;
if (TRACING && off) {
  const sink = await OtlpSink.start();
  try {
    const traced = {
      OTEL_SDK_DISABLED: 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint,
      ...later,
      ...w1,
    };
    const offs = [off];
    const ons = [await pass('tracing on', traced)];
    for (let round = 1; round < ROUNDS; round++) {
      offs.push(await pass('tracing off', { ...untraced, ...later, ...w1 }));
      ons.push(await pass('tracing on', traced));
    }
    const tasksPerSecOff = median(offs.map((r) => r.tasksPerSec));
    const tasksPerSecOn = median(ons.map((r) => r.tasksPerSec));
    // Latency and memory of the traced pass closest to the median.
    const on = ons.reduce((best, r) =>
      Math.abs(r.tasksPerSec - tasksPerSecOn) < Math.abs(best.tasksPerSec - tasksPerSecOn) ? r : best,
    );
    tracing = {
      tasksPerSecOff,
      tasksPerSecOn,
      ratio: round(tasksPerSecOn / tasksPerSecOff, 3),
      ...(ROUNDS > 1
        ? { passes: { off: offs.map((r) => r.tasksPerSec), on: ons.map((r) => r.tasksPerSec) } }
        : {}),
      // CPU per task is less disturbed by other load on the machine than tasks/s.
      cpuMsPerTaskOff: median(offs.map((r) => r.cpuMsPerTask)),
      cpuMsPerTaskOn: median(ons.map((r) => r.cpuMsPerTask)),
      readyToStartMsOn: on.readyToStartMs,
      stepGapMsOn: on.stepGapMs,
      rssMbOn: on.rssMb,
      exportRequests: sink.requests,
      exportedKb: Math.round(sink.bytes / 1024),
    };
    console.log(
      `tracing: ${tasksPerSecOn} tasks/s on vs ${tasksPerSecOff} off (ratio ${String(tracing.ratio)}); ` +
        `${sink.requests} OTLP exports, ${String(tracing.exportedKb)} kB`,
    );
  } finally {
    await sink.close();
  }
}
const baseline =
  process.env.BENCH_BASELINE && off ? await compareWithBaseline(off, process.env.BENCH_BASELINE) : null;
// W3 and memory (scale.ts): one pass of their own; --expose-gc so heap figures start from a collection.
const scale =
  process.env.BENCH_SCALE === 'false'
    ? null
    : await pass<Record<string, unknown>>('scale', untraced, (e) =>
        spawnScript('scale', e, { nodeFlags: ['--expose-gc'] }),
      );
console.log(JSON.stringify({ ...off, tracing, baseline, scale, workloads }));

/** Old build vs this one, untraced, passes alternated so drift in the machine's load hits both. */
async function compareWithBaseline(off: W1Result, ref: string): Promise<Record<string, unknown>> {
  const old = prepareBaseline(ref);
  const rounds = Math.max(1, Number(process.env.BENCH_BASELINE_ROUNDS ?? 3));
  const olds: W1Result[] = [];
  const news: W1Result[] = [off];
  for (let round = 0; round < rounds; round++) {
    olds.push(await pass(`old ${ref}`, { ...untraced, ...later, ...w1 }, old.spawnPass));
    if (round > 0) news.push(await pass('new', { ...untraced, ...later, ...w1 }));
  }
  const tasksPerSecOld = median(olds.map((r) => r.tasksPerSec));
  const tasksPerSecNew = median(news.map((r) => r.tasksPerSec));
  const cpuMsPerTaskOld = median(olds.map((r) => r.cpuMsPerTask));
  const cpuMsPerTaskNew = median(news.map((r) => r.cpuMsPerTask));
  const result = {
    ref,
    commit: old.commit,
    tasksPerSecOld,
    tasksPerSecNew,
    ratio: round(tasksPerSecNew / tasksPerSecOld, 3),
    cpuMsPerTaskOld,
    cpuMsPerTaskNew,
    // Above 1 means the new build spends less CPU per task.
    cpuRatio: round(cpuMsPerTaskOld / cpuMsPerTaskNew, 3),
    passes: { old: olds.map((r) => r.tasksPerSec), new: news.map((r) => r.tasksPerSec) },
  };
  console.log(
    `baseline ${ref}: ${tasksPerSecNew} tasks/s new vs ${tasksPerSecOld} old (ratio ${String(result.ratio)}); ` +
      `CPU ${cpuMsPerTaskNew} vs ${cpuMsPerTaskOld} ms/task (old ÷ new ${String(result.cpuRatio)})`,
  );
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : round((sorted[mid - 1]! + sorted[mid]!) / 2, 1);
}
