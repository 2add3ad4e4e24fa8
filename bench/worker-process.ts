/**
 * A worker-only Sagaflow process for the benchmark (as `SAGAFLOW_ROLES=worker npm start` would
 * run), which reports how many messages it published and its RSS when told to stop. Tracing
 * starts first when the pass has it on, as in main.ts.
 */
import { startTracing } from '../src/infrastructure/telemetry/start-tracing.js';

const tracing = await startTracing();
const { createApp } = await import('../src/app/create-app.js');
const { benchLogging } = await import('./logging.js');
const app = await createApp(
  { roles: new Set(['worker']), migrate: false, ...benchLogging.config },
  benchLogging.options,
);
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  const report = {
    published: app.runtime.publisher.publishedCount,
    rssMb: process.memoryUsage().rss / 1024 / 1024,
  };
  void app
    .close()
    .then(() => tracing?.shutdown())
    .finally(() => {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      process.exit(0);
    });
});
