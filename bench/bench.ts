/**
 * `npm run bench` — workload W1 (see w1.ts) with tracing off, then again with tracing on
 * (every span recorded and exported over OTLP/HTTP to a no-op receiver in this process), each
 * pass in a fresh process and database. `BENCH_TRACING=false` runs the untraced pass only.
 * Its last line is one JSON object (see the core engine issue): the untraced pass's figures,
 * and under `tracing` the traced pass's tasks/s and its ratio to the untraced one.
 */
import { spawnScript } from './processes.js';
import { OtlpSink } from './otlp-sink.js';
import { round } from './stats.js';
import type { W1Result } from './w1.js';

const TRACING = process.env.BENCH_TRACING !== 'false';

/** Runs one pass, echoing its lines; resolves with its result (its last line). */
async function pass(label: string, env: Record<string, string>): Promise<W1Result> {
  const child = spawnScript('w1-pass', env);
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
  return JSON.parse(last) as W1Result;
}

const off = await pass('tracing off', { OTEL_SDK_DISABLED: 'true' });
let tracing: Record<string, unknown> | null = null;
if (TRACING) {
  const sink = await OtlpSink.start();
  try {
    const on = await pass('tracing on', {
      OTEL_SDK_DISABLED: 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint,
      // The raw ceilings do not depend on tracing: measured once, in the untraced pass.
      BENCH_CEILINGS: 'false',
    });
    tracing = {
      tasksPerSecOff: off.tasksPerSec,
      tasksPerSecOn: on.tasksPerSec,
      ratio: round(on.tasksPerSec / off.tasksPerSec, 3),
      readyToStartMsOn: on.readyToStartMs,
      stepGapMsOn: on.stepGapMs,
      rssMbOn: on.rssMb,
      exportRequests: sink.requests,
      exportedKb: Math.round(sink.bytes / 1024),
    };
    console.log(
      `tracing: ${on.tasksPerSec} tasks/s on vs ${off.tasksPerSec} off (ratio ${String(tracing.ratio)}); ` +
        `${sink.requests} OTLP exports, ${String(tracing.exportedKb)} kB`,
    );
  } finally {
    await sink.close();
  }
}
console.log(JSON.stringify({ ...off, tracing }));
