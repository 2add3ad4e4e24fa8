/**
 * One Sagaflow process of a bench pass, with the roles of `SAGAFLOW_ROLES` (as
 * `SAGAFLOW_ROLES=… npm start` would run it; the database, prefixes and `SAGAFLOW_HANDLERS`
 * come from the environment too). Tracing starts first when the pass has it on, as in main.ts.
 * Prints `ready <api url>` once every role runs; for each `usage` line on stdin prints a JSON
 * line with what it has used so far (CPU, messages published, RSS), so that the pass can take
 * the difference over exactly its measured window — asked on stdin, not with a signal, because
 * Nest's shutdown hooks take SIGUSR2 (and SIGHUP) as "stop". SIGTERM stops it through Nest's shutdown hooks, as it stops
 * main.ts (spans not yet exported then are lost, as they are for main.ts: they are from after
 * the measured window).
 */
import { createInterface } from 'node:readline';
import { startTracing } from '../src/infrastructure/telemetry/start-tracing.js';

await startTracing();
const { createApp } = await import('../src/app/create-app.js');
const { benchLogging } = await import('./logging.js');
// Port 0: the pass reads the api's URL from the ready line instead of picking a free port.
const app = await createApp({ port: 0, ...benchLogging.config }, benchLogging.options);
process.stdout.write(`ready ${app.url ?? '-'}\n`);
const requests = createInterface({ input: process.stdin });
// Stdin closes when the pass goes, however it goes: stop then, as on SIGTERM, rather than outlive it.
requests.once('close', () => process.kill(process.pid, 'SIGTERM'));
requests.on('line', (line) => {
  if (line.trim() !== 'usage') return;
  const { user, system } = process.cpuUsage();
  const usage = {
    cpuMicros: user + system,
    published: app.runtime.publisher.publishedCount,
    rssMb: process.memoryUsage().rss / 2 ** 20,
  };
  process.stdout.write(`${JSON.stringify(usage)}\n`);
});
