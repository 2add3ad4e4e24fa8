/**
 * `npm run bench` — workload W1 (see w1.ts) with tracing off, then again with tracing on
 * (every span recorded and exported over OTLP/HTTP to a no-op receiver in this process), each
 * pass in a fresh process and database. `BENCH_TRACING=false` runs the untraced pass only.
 * Its last line is one JSON object (see the core engine issue): the untraced pass's figures,
 * and under `tracing` the traced pass's tasks/s and its ratio to the untraced one.
 * BENCH_RATE above the system's capacity (e.g. 700) compares capacity; at the default rate both
 * passes usually keep up and the ratio shows only whether tracing makes the system fall behind.
 *
 * Then W3 (a 1,000-task DAG) and the memory of 10,000 parked runs, in a pass of their own
 * (scale.ts; `BENCH_SCALE=false` skips it), under `scale`.
 *
 * `BENCH_BASELINE=<git ref>` also runs the untraced W1 pass of that ref's build (baseline.ts),
 * alternating old and new passes `BENCH_BASELINE_ROUNDS` times (default 3), and prints under
 * `baseline` the medians and the ratio new ÷ old of tasks/s and of CPU per task.
 */
import type { ChildProcess } from 'node:child_process';
import { prepareBaseline } from './baseline.js';
import { spawnScript } from './processes.js';
import { OtlpSink } from './otlp-sink.js';
import { round } from './stats.js';
import type { W1Result } from './w1.js';

const TRACING = process.env.BENCH_TRACING !== 'false';

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
// The raw ceilings and the read-side figures are about other things: measured once, in the
// first untraced pass.
const later = { BENCH_CEILINGS: 'false', BENCH_READS: 'false' };

const off = await pass('tracing off', untraced);
let tracing: Record<string, unknown> | null = null;
if (TRACING) {
  const sink = await OtlpSink.start();
  try {
    const traced = { OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, ...later };
    const offs = [off];
    const ons = [await pass('tracing on', traced)];
    for (let round = 1; round < ROUNDS; round++) {
      offs.push(await pass('tracing off', { ...untraced, ...later }));
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
const baseline = process.env.BENCH_BASELINE ? await compareWithBaseline(process.env.BENCH_BASELINE) : null;
// W3 and memory (scale.ts): one pass of their own; --expose-gc so heap figures start from a collection.
const scale =
  process.env.BENCH_SCALE === 'false'
    ? null
    : await pass<Record<string, unknown>>('scale', untraced, (e) =>
        spawnScript('scale', e, { nodeFlags: ['--expose-gc'] }),
      );
console.log(JSON.stringify({ ...off, tracing, baseline, scale }));

/** Old build vs this one, untraced, passes alternated so drift in the machine's load hits both. */
async function compareWithBaseline(ref: string): Promise<Record<string, unknown>> {
  const old = prepareBaseline(ref);
  const rounds = Math.max(1, Number(process.env.BENCH_BASELINE_ROUNDS ?? 3));
  const olds: W1Result[] = [];
  const news: W1Result[] = [off];
  for (let round = 0; round < rounds; round++) {
    olds.push(await pass(`old ${ref}`, { ...untraced, ...later }, old.spawnPass));
    if (round > 0) news.push(await pass('new', { ...untraced, ...later }));
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
