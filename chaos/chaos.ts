/**
 * `npm run chaos` (docs/failure-modes.md#the-chaos-harness): every role as separate processes
 * (2 api, 2 relay, 2 orchestrator, 3 workers, one of them in its own network namespace), runs
 * started through the REST API with auth on, and faults at random while they run: kill -9 of any
 * role, RabbitMQ stop/start, PostgreSQL immediate stop, Redis down, a worker frozen past its
 * timeout, the broker cut off from a worker. When the faults stop, the checker reads PostgreSQL
 * and the side-effect sink and prints the counts; every count but the runs accepted must be 0.
 *
 * Environment: CHAOS_RUNS (1000), CHAOS_FAULT_SECONDS (240; CHAOS_PROFILE=ci: 100),
 * CHAOS_SETTLE_SECONDS (120: how long after the last fault every run must be terminal),
 * CHAOS_SEED (random; printed, to replay a schedule), CHAOS_KEEP=true (keep the database).
 * `--cluster` (or CHAOS_CLUSTER=true) runs the same against a 3-node RabbitMQ cluster made for
 * the run, with quorum task queues, and kills one node at a time instead of stopping the broker.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { check, failures, outboxRows, terminalCount } from './check.js';
import type { DependencyGraph } from './checker.js';
import { drive, untilAccepted, call, type Accepted } from './driver.js';
import { faultsFor, runSchedule, seeded, type FaultContext } from './faults.js';
import { BrokerCluster } from './broker-cluster.js';
import { ChaosNamespace } from './netns.js';
import { RoleProcess, type RoleSpec } from './roles.js';
import { SideEffectSink } from './sink.js';
import { ensureServicesUp } from './services.js';
import { cleanupInstallation } from './cleanup.js';

const ci = process.env.CHAOS_PROFILE === 'ci';
const RUNS = Number(process.env.CHAOS_RUNS ?? 1000);
const FAULT_SECONDS = Number(process.env.CHAOS_FAULT_SECONDS ?? (ci ? 100 : 240));
const SETTLE_SECONDS = Number(process.env.CHAOS_SETTLE_SECONDS ?? 120);
const SEED = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const KEEP = process.env.CHAOS_KEEP === 'true';
const CLUSTER = process.argv.includes('--cluster') || process.env.CHAOS_CLUSTER === 'true';

const tag = `${process.pid}`;
const database = `sagaflow_chaos_${tag}`;
const databaseUrl = `postgres://postgres@127.0.0.1:5432/${database}`;
const redisUrl = 'redis://127.0.0.1:6379';
/** Heartbeats every 5 s: a dead or cut-off peer is noticed in about 10 s. */
const HEARTBEAT = '?heartbeat=5';
const amqpPrefix = `sfchaos_${tag}`;
const redisPrefix = `sfchaos:${tag}:`;
const apiKey = randomBytes(32).toString('hex');
const DEFINITION = 'chaos-saga';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
const log = (line: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The workflow: a ─┬─ b ─┬─ d, every step an `http` call to the sink; a, b and c have
 * compensations, and d fails for good when the run's input says so, so a third of the runs
 * compensate c and b, then a.
 */
function definition(sinkUrl: string) {
  const retry = { maxAttempts: 20, initialIntervalMs: 100, maxIntervalMs: 2_000 };
  const effect = (task: string, kind: string, mode: string) => ({
    method: 'POST',
    url: `${sinkUrl}/effects`,
    body: { run: '${run.id}', task, kind, mode },
    timeoutMs: 1_500,
  });
  const step = (key: string, dependsOn: string[], mode = 'ok', compensate = true) => ({
    key,
    type: 'http',
    dependsOn,
    input: effect(key, 'task', mode),
    retry,
    timeoutMs: 2_000,
    ...(compensate
      ? { compensation: { type: 'http', input: effect(key, 'compensation', 'ok'), retry, timeoutMs: 2_000 } }
      : {}),
  });
  return {
    name: DEFINITION,
    tasks: [step('a', []), step('b', ['a']), step('c', ['a']), step('d', ['b', 'c'], '${input.d}', false)],
  };
}

const GRAPH: DependencyGraph = new Map([
  ['a', []],
  ['b', ['a']],
  ['c', ['a']],
  ['d', ['b', 'c']],
]);
const COMPENSATED = new Set(['a', 'b', 'c']);

async function withDb<T>(work: (db: pg.Client) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const db = new pg.Client({ connectionString: databaseUrl });
    try {
      await db.connect();
      return await work(db);
    } catch (error) {
      if (attempt >= 30) throw error;
      await sleep(1_000);
    } finally {
      await db.end().catch(() => undefined);
    }
  }
}

async function main(): Promise<number> {
  log(
    `chaos: ${RUNS} runs, faults for ${FAULT_SECONDS} s, seed ${SEED}, installation ${amqpPrefix}` +
      (CLUSTER ? ', on a 3-node RabbitMQ cluster' : ''),
  );
  await ensureServicesUp();
  if (!ChaosNamespace.available())
    throw new Error('the chaos harness needs root and iproute2 (network namespaces)');
  const cluster = CLUSTER ? await BrokerCluster.create(tag) : null;
  if (cluster)
    log(`chaos: cluster ${cluster.nodes.map((n) => `${n.name} (:${n.amqpPort})`).join(', ')} running`);
  const amqpUrl = cluster ? cluster.amqpUrls(HEARTBEAT) : `amqp://guest:guest@127.0.0.1:5672/${HEARTBEAT}`;
  const amqpPorts = cluster ? cluster.nodes.map((n) => n.amqpPort) : [5672];
  const namespace = await ChaosNamespace.create(tag, { postgres: 5432, redis: 6379, amqp: amqpPorts });
  const sink = await SideEffectSink.listen(ChaosNamespace.hostIp);
  const processes: RoleProcess[] = [];
  try {
    const apiPorts = [await freePort(), await freePort()];
    const common: Record<string, string> = {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      SAGAFLOW_METRICS_PORT: '0',
      LOG_LEVEL: 'error',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      AMQP_URL: amqpUrl,
      SAGAFLOW_AMQP_PREFIX: amqpPrefix,
      SAGAFLOW_REDIS_PREFIX: redisPrefix,
      SAGAFLOW_SHARDS: '8',
      SAGAFLOW_MIGRATE: 'false',
      SAGAFLOW_HTTP_ALLOW: `${ChaosNamespace.hostIp}:${sink.port}`,
      SAGAFLOW_AUTH: 'on',
      SAGAFLOW_ADMIN_API_KEY: apiKey,
      SAGAFLOW_RATE_LIMIT: '1000000/1m',
      // On a cluster, task queues must survive the loss of the node that holds them.
      SAGAFLOW_QUEUE_TYPE: cluster ? 'quorum' : 'classic',
    };
    const role = (
      name: string,
      roles: string[],
      env: Record<string, string> = {},
      prefix?: string[],
    ): RoleSpec => ({
      name,
      roles,
      prefix,
      env: {
        ...common,
        SAGAFLOW_ROLES: roles.join(','),
        SAGAFLOW_INSTANCE_ID: `${amqpPrefix}-${name}`,
        ...env,
      },
    });
    const inNamespace = namespace.urls(databaseUrl, redisUrl, amqpUrl);
    const specs = [
      role('api-1', ['api'], { PORT: String(apiPorts[0]), SAGAFLOW_MIGRATE: 'true' }),
      role('api-2', ['api'], { PORT: String(apiPorts[1]) }),
      role('relay-1', ['relay']),
      role('relay-2', ['relay']),
      role('orchestrator-1', ['orchestrator']),
      role('orchestrator-2', ['orchestrator']),
      role('worker-1', ['worker']),
      role('worker-2', ['worker']),
      role(
        'worker-3',
        ['worker'],
        {
          DATABASE_URL: inNamespace.databaseUrl,
          REDIS_URL: inNamespace.redisUrl,
          AMQP_URL: inNamespace.amqpUrl,
        },
        namespace.exec,
      ),
    ];
    for (const spec of specs) processes.push(new RoleProcess(spec));
    // The first api migrates the new database; the others start once it has.
    await processes[0]!.start();
    await Promise.all(processes.slice(1).map((p) => p.start()));
    log(
      `chaos: ${processes.length} role processes running (worker-3 in network namespace ${namespace.name})`,
    );

    const apis = () => apiPorts.map((port) => `http://127.0.0.1:${port}`);
    await untilAccepted(apis, 'register the definition', (api) =>
      call(`${api}/v1/definitions`, apiKey, { method: 'POST', body: definition(sink.url) }),
    );

    const ctx: FaultContext = {
      random: seeded(SEED),
      processes,
      workers: processes.filter((p) => p.spec.roles.includes('worker') && p.spec.prefix === undefined),
      namespace,
      cluster,
      log,
    };
    const rate = Math.max(1, RUNS / (FAULT_SECONDS * 0.75));
    log(`chaos: starting ${RUNS} runs at ${rate.toFixed(1)} runs/s while the faults run`);
    const [driven, lastRepaired] = await Promise.all([
      drive({ apis, apiKey, definition: DEFINITION, runs: RUNS, rate, tag }),
      runSchedule(ctx, FAULT_SECONDS, faultsFor(cluster !== null)),
    ]);
    const accepted: Accepted[] = driven.accepted;
    log(`chaos: faults over; ${accepted.length} runs accepted (${driven.retried} start requests retried)`);

    const ids = accepted.map((a) => a.id);
    const deadline = lastRepaired + SETTLE_SECONDS * 1000;
    let terminal = 0;
    while (Date.now() < deadline) {
      terminal = await withDb((db) => terminalCount(db, ids));
      if (terminal === ids.length) break;
      await sleep(1_000);
    }
    log(
      `chaos: ${terminal}/${ids.length} runs terminal ${((Date.now() - lastRepaired) / 1000).toFixed(1)} s after the last fault`,
    );
    // The relay deletes an outbox row once the broker confirmed it: give the last ones a moment.
    const outboxDeadline = Date.now() + 30_000;
    while (Date.now() < outboxDeadline && (await withDb(outboxRows)) > 0) await sleep(500);

    const report = await withDb((db) => check(db, accepted, GRAPH, COMPENSATED, sink.effects));
    const supervised = Object.fromEntries(
      processes.map((p) => [p.spec.name, { restarts: p.restarts, exitedByItself: p.unexpectedExits }]),
    );
    console.log('\nchaos counts (every one but runsAccepted must be 0):');
    for (const [name, n] of Object.entries(report.counts)) console.log(`  ${name.padEnd(30)} ${n}`);
    console.log(`  run statuses                   ${JSON.stringify(report.statuses)}`);
    console.log(
      `  side effects per key           ${JSON.stringify(report.sideEffectsPerKey)} (key → deliveries: at least once)`,
    );
    console.log(`  role processes                 ${JSON.stringify(supervised)}`);
    console.log(
      JSON.stringify({ chaos: { seed: SEED, cluster: CLUSTER, ...report, processes: supervised } }),
    );
    const failed = failures(report.counts, RUNS);
    if (failed.length > 0) {
      console.log(`\nchaos: FAILED (seed ${SEED}): ${failed.join(', ')}`);
      for (const p of processes) console.log(`--- ${p.spec.name} output tail:\n${p.tail.slice(-2_000)}`);
      return 1;
    }
    console.log(`\nchaos: passed (seed ${SEED})`);
    return 0;
  } finally {
    await Promise.all(processes.map((p) => p.stop().catch(() => undefined)));
    await ensureServicesUp();
    await namespace.destroy();
    await sink.close();
    // A cluster made for the run goes with everything on it; on the machine's node, our queues go.
    cluster?.destroy();
    if (!KEEP) {
      await cleanupInstallation({
        databaseUrl,
        redisUrl,
        redisPrefix,
        amqpPrefix: cluster ? null : amqpPrefix,
      });
    }
  }
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    console.error(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await ensureServicesUp().catch(() => undefined);
    process.exit(2);
  },
);
