/**
 * One pass of a workload (W1 unless `BENCH_WORKLOAD` says otherwise; workload.ts) in a process
 * of its own, started like `main.ts`: tracing first (on when the OTEL_* environment asks for it),
 * then the application. Its last stdout line is the pass's result as JSON. The name stays
 * `w1-pass` because `BENCH_BASELINE` runs an older build's pass by this path (baseline.ts).
 */
import { startTracing } from '../src/infrastructure/telemetry/start-tracing.js';

const tracing = await startTracing();
const { runWorkload } = await import('./workload.js');
const result = await runWorkload();
await tracing?.shutdown();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
