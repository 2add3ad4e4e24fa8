/**
 * One pass of workload W1 in a process of its own, started like `main.ts`: tracing first (on
 * when the OTEL_* environment asks for it), then the application. Its last stdout line is the
 * pass's result as JSON.
 */
import { startTracing } from '../src/infrastructure/telemetry/start-tracing.js';

const tracing = await startTracing();
const { runW1 } = await import('./w1.js');
const result = await runW1();
await tracing?.shutdown();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
