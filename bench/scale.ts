/**
 * The scale workloads of `npm run bench` (docs/performance.md), in a process of their own with
 * every role in it:
 * - W3: one DAG of 10, 100 and 1,000 `noop` tasks (layers about √n wide, each task after two of
 *   the layer before): register and start latency over HTTP, then time to completion and its
 *   cost per task, the median of `BENCH_W3_REPS` (3) each;
 * - memory: `BENCH_PARKED_RUNS` (10,000) runs parked on a 10-minute `delay` task (a durable
 *   timer, nothing in flight on the broker), and the process's RSS and heap before and after,
 *   scaled to 10,000 runs.
 * Its last stdout line is the result as JSON.
 */
import { sql } from 'kysely';
import { createApp, type SagaflowApp } from '../src/app/create-app.js';
import { benchInstallation } from './installation.js';
import { benchLogging } from './logging.js';
import { round } from './stats.js';

const REPS = Math.max(1, Number(process.env.BENCH_W3_REPS ?? 3));
const SIZES = (process.env.BENCH_W3_SIZES ?? '10,100,1000').split(',').map(Number);
const PARKED = Number(process.env.BENCH_PARKED_RUNS ?? 10_000);
/** Clients starting the parked runs at once: how hard the start burst is. */
const PARKED_LANES = Number(process.env.BENCH_PARKED_LANES ?? 32);

/** n tasks in layers of about √n; each task depends on two neighbours of the layer before. */
export function layeredDag(name: string, n: number) {
  const width = Math.max(1, Math.ceil(Math.sqrt(n)));
  const tasks = Array.from({ length: n }, (_, i) => {
    const layer = Math.floor(i / width);
    const deps =
      layer === 0
        ? []
        : [i - width, i - width + 1].filter((d) => d >= (layer - 1) * width && d < layer * width);
    return { key: `t${i}`, type: 'noop', dependsOn: deps.map((d) => `t${d}`) };
  });
  return { name, tasks };
}

async function post(url: string, body: unknown): Promise<{ id?: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id?: string };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

async function status(app: SagaflowApp, id: string): Promise<string> {
  const { rows } = await sql<{ status: string }>`select status from runs where id = ${id}`.execute(
    app.runtime.db(),
  );
  return rows[0]?.status ?? 'MISSING';
}

async function w3(app: SagaflowApp, url: string) {
  const sizes = [];
  for (const n of SIZES) {
    const reps: { registerMs: number; startMs: number; completeMs: number; cpuMsPerTask: number }[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      const name = `w3-${n}-${rep}`;
      const cpu = process.cpuUsage();
      let t = performance.now();
      await post(`${url}/v1/definitions`, layeredDag(name, n));
      const registerMs = performance.now() - t;
      t = performance.now();
      const { id } = await post(`${url}/v1/runs`, { definition: name });
      const startMs = performance.now() - t;
      for (;;) {
        const s = await status(app, id!);
        if (s === 'COMPLETED') break;
        if (s !== 'RUNNING') throw new Error(`W3 run of ${n} tasks ended ${s}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const completeMs = performance.now() - t;
      const { user, system } = process.cpuUsage(cpu);
      reps.push({ registerMs, startMs, completeMs, cpuMsPerTask: (user + system) / 1000 / n });
    }
    const completeMs = median(reps.map((r) => r.completeMs));
    const figures = {
      tasks: n,
      registerMs: round(median(reps.map((r) => r.registerMs)), 1),
      startMs: round(median(reps.map((r) => r.startMs)), 1),
      registerAndStartMs: round(median(reps.map((r) => r.registerMs + r.startMs)), 1),
      completeMs: round(completeMs, 1),
      perTaskMs: round(completeMs / n, 3),
      // Node CPU of the whole process (every role) per task, registration included.
      cpuMsPerTask: round(median(reps.map((r) => r.cpuMsPerTask)), 3),
    };
    console.log(
      `W3 ${n} tasks: register ${figures.registerMs} ms + start ${figures.startMs} ms, ` +
        `complete in ${figures.completeMs} ms (${figures.perTaskMs} ms, ${figures.cpuMsPerTask} ms CPU per task)`,
    );
    sizes.push(figures);
  }
  return sizes;
}

async function memory(app: SagaflowApp, url: string) {
  await post(`${url}/v1/definitions`, {
    name: 'parked',
    tasks: [{ key: 'wait', type: 'delay', input: { ms: 600_000 } }],
  });
  await post(`${url}/v1/runs`, { definition: 'parked' });
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage();
  let next = 0;
  const lane = async () => {
    while (next < PARKED) {
      next += 1;
      await post(`${url}/v1/runs`, { definition: 'parked' });
    }
  };
  await Promise.all(Array.from({ length: PARKED_LANES }, lane));
  // Parked: every run's delay timer is set (its task RUNNING in PostgreSQL).
  for (;;) {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from task_runs where key = 'wait' and status = 'RUNNING'`.execute(
      app.runtime.db(),
    );
    if (Number(rows[0]!.n) >= PARKED + 1) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  (globalThis as { gc?: () => void }).gc?.();
  const after = process.memoryUsage();
  // Again after a quiet while: what the burst left behind that the process gives back on its own.
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  (globalThis as { gc?: () => void }).gc?.();
  const settled = process.memoryUsage();
  const scale = 10_000 / PARKED;
  const figures = {
    runs: PARKED,
    rssMbBefore: round(before.rss / 2 ** 20, 1),
    rssMbAfter: round(after.rss / 2 ** 20, 1),
    rssMbPer10kRuns: round(((after.rss - before.rss) / 2 ** 20) * scale, 1),
    rssMbPer10kRunsSettled: round(((settled.rss - before.rss) / 2 ** 20) * scale, 1),
    lanes: PARKED_LANES,
    heapMbPer10kRuns: round(((after.heapUsed - before.heapUsed) / 2 ** 20) * scale, 1),
    // What V8 reserved for the heap and what lives outside it (Buffers): where the rest of RSS is.
    heapTotalMbPer10kRuns: round(((after.heapTotal - before.heapTotal) / 2 ** 20) * scale, 1),
    externalMbPer10kRuns: round(((after.external - before.external) / 2 ** 20) * scale, 1),
  };
  console.log(
    `memory: ${PARKED} parked runs: RSS ${figures.rssMbBefore} → ${figures.rssMbAfter} MB ` +
      `(${figures.rssMbPer10kRuns} MB per 10,000 runs, ${figures.rssMbPer10kRunsSettled} MB 10 s later; ` +
      `${PARKED_LANES} clients; heap used ${figures.heapMbPer10kRuns} MB, ` +
      `heap reserved ${figures.heapTotalMbPer10kRuns} MB, external ${figures.externalMbPer10kRuns} MB)`,
  );
  return figures;
}

const installation = benchInstallation('scale');
const app = await createApp(
  {
    port: 0,
    databaseUrl: installation.databaseUrl,
    amqpPrefix: installation.prefix,
    redisPrefix: `${installation.prefix}:`,
    roles: new Set(['api', 'relay', 'orchestrator', 'worker']),
    ...benchLogging.config,
  },
  benchLogging.options,
);
try {
  const w3Figures = await w3(app, app.url!);
  const memoryFigures = PARKED > 0 ? await memory(app, app.url!) : null;
  process.stdout.write(`${JSON.stringify({ w3: w3Figures, memory: memoryFigures })}\n`);
} finally {
  await app.close();
  await installation.remove();
}
process.exit(0);
