/**
 * Where a pass's Sagaflow roles run, and what they have used: either in the pass's own process
 * (as W1 always has, optionally with worker-only children) or every role group in a child process
 * of its own (role-process.ts). Either way `usage()` sums CPU, messages published and RSS over
 * every Sagaflow process of the pass, and `crashes()` names the children that exited on their own.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createApp, type CreateAppOptions, type SagaflowApp } from '../src/app/create-app.js';
import type { Role } from '../src/infrastructure/config/app-config.js';
import type { BenchInstallation } from './installation.js';
import { benchLogging } from './logging.js';
import { lineFrom, spawnScript } from './processes.js';

export interface Usage {
  /** CPU (user + system) so far, µs. */
  cpuMicros: number;
  /** Messages published so far. */
  published: number;
  rssMb: number;
}

export interface Crash {
  roles: string;
  pid: number;
  code: number | null;
  signal: string | null;
}

export interface Topology {
  /** The api's URL. */
  url: string;
  /** For the printed line: which roles run in which processes. */
  describe: string;
  /** The pass's own in-process Sagaflow, if it runs roles itself (the read-side figures need it). */
  app: SagaflowApp | null;
  /** Pids of the Sagaflow processes (the pass's own when it runs roles). */
  pids: number[];
  usage(): Promise<Usage>;
  crashes(): Crash[];
  /** What to throw when a process has crashed (waitForTerminal's `failure`), else null. */
  failure: () => string | null;
  close(): Promise<void>;
}

/** The handler module that registers W4's `fail` type (shared with the peer comparison). */
export const FAIL_HANDLERS = fileURLToPath(new URL('./peers/sagaflow-handlers.js', import.meta.url));

/**
 * `BENCH_PROCESS_LAYOUT`: role groups separated by `;`, roles by `,` — e.g.
 * `api;relay,orchestrator;worker` runs three processes. Empty: every role in the pass's process.
 */
export function parseLayout(raw: string | undefined): Role[][] {
  return (raw ?? '')
    .split(';')
    .map((group) =>
      group
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    )
    .filter((group) => group.length > 0) as Role[][];
}

interface Options {
  installation: BenchInstallation;
  /** Registers `fail` (W4) on every worker. */
  failHandler: boolean;
}

function childEnv({ installation, failHandler }: Options, roles: readonly Role[], migrate: boolean) {
  return {
    DATABASE_URL: installation.databaseUrl,
    SAGAFLOW_AMQP_PREFIX: installation.prefix,
    SAGAFLOW_REDIS_PREFIX: `${installation.prefix}:`,
    SAGAFLOW_ROLES: roles.join(','),
    SAGAFLOW_MIGRATE: String(migrate),
    // Processes without the api serve /metrics on a port of their own (9464 by default): any free one.
    SAGAFLOW_METRICS_PORT: '0',
    ...(failHandler ? { SAGAFLOW_HANDLERS: FAIL_HANDLERS } : {}),
  };
}

interface Child {
  roles: string;
  process: ChildProcess;
  url: string | null;
}

/** Every child started, so that none outlives the pass however it ends. */
const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/**
 * Starts role-process.ts with `roles` and adds it to `into` at once (so a failed start of a
 * sibling still stops it); resolves once it reports ready.
 */
async function startChild(options: Options, roles: readonly Role[], migrate: boolean, into: Child[]) {
  const child: Child = {
    roles: roles.join('+'),
    process: spawnScript('role-process', childEnv(options, roles, migrate), { stdin: true }),
    url: null,
  };
  started.add(child.process);
  // Writing to a child that has just exited is reported by crashes(), not by an EPIPE here.
  child.process.stdin!.on('error', () => undefined);
  into.push(child);
  const line = await lineFrom(child.process, (l) => l.startsWith('ready '));
  const url = line.slice('ready '.length);
  child.url = url === '-' ? null : url;
}

/** What one child has used so far: it answers a `usage` line on its stdin with a JSON line. */
function childUsage(child: ChildProcess): Promise<Usage> {
  const report = lineFrom(child, (line) => line.startsWith('{'));
  child.stdin!.write('usage\n');
  return report.then((line) => JSON.parse(line) as Usage);
}

function watchCrashes(children: Child[], closing: () => boolean): () => Crash[] {
  const crashes: Crash[] = [];
  for (const c of children) {
    c.process.once('exit', (code, signal) => {
      if (!closing()) crashes.push({ roles: c.roles, pid: c.process.pid!, code, signal });
    });
  }
  return () => crashes;
}

async function stopChildren(children: Child[]): Promise<void> {
  await Promise.all(
    children.map(async ({ process: child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

function crashFailure(crashes: Crash[]): string | null {
  return crashes.length === 0 ? null : `Sagaflow process(es) crashed: ${JSON.stringify(crashes)}`;
}

const sum = (usages: Usage[]): Usage =>
  usages.reduce(
    (a, u) => ({
      cpuMicros: a.cpuMicros + u.cpuMicros,
      published: a.published + u.published,
      rssMb: a.rssMb + u.rssMb,
    }),
    { cpuMicros: 0, published: 0, rssMb: 0 },
  );

/** Every role group in a child process of its own; the first one creates and migrates the database. */
export async function childTopology(options: Options, layout: Role[][]): Promise<Topology> {
  if (!layout.flat().includes('api')) throw new Error('the process layout needs an api role');
  const children: Child[] = [];
  let closing = false;
  try {
    await startChild(options, layout[0]!, true, children);
    await Promise.all(layout.slice(1).map((roles) => startChild(options, roles, false, children)));
  } catch (err) {
    await stopChildren(children);
    throw err;
  }
  const crashes = watchCrashes(children, () => closing);
  return {
    url: children.find((c) => c.url)!.url!,
    describe: `${children.map((c) => c.roles).join(', ')} in ${children.length} process(es)`,
    app: null,
    pids: children.map((c) => c.process.pid!),
    usage: async () => sum(await Promise.all(children.map((c) => childUsage(c.process)))),
    crashes,
    failure: () => crashFailure(crashes()),
    async close() {
      closing = true;
      await stopChildren(children);
    },
  };
}

/**
 * api, relay, orchestrator (and, without worker processes, worker) in this process, as W1 has
 * always run; `workerProcesses` worker-only children beside it.
 */
export async function inProcessTopology(options: Options, workerProcesses: number): Promise<Topology> {
  const { installation } = options;
  const appOptions: CreateAppOptions = { ...benchLogging.options };
  if (options.failHandler) {
    const handlers = (await import('./peers/sagaflow-handlers.js')).default;
    appOptions.registerHandlers = handlers;
  }
  const app = await createApp(
    {
      port: 0,
      databaseUrl: installation.databaseUrl,
      amqpPrefix: installation.prefix,
      redisPrefix: `${installation.prefix}:`,
      roles: new Set<Role>([
        'api',
        'relay',
        'orchestrator',
        ...(workerProcesses === 0 ? (['worker'] as const) : []),
      ]),
      ...benchLogging.config,
    },
    appOptions,
  );
  const children: Child[] = [];
  let closing = false;
  try {
    await Promise.all(
      Array.from({ length: workerProcesses }, () => startChild(options, ['worker'], false, children)),
    );
  } catch (err) {
    await stopChildren(children);
    await app.close();
    throw err;
  }
  const crashes = watchCrashes(children, () => closing);
  const own = (): Usage => {
    const { user, system } = process.cpuUsage();
    return {
      cpuMicros: user + system,
      published: app.runtime.publisher.publishedCount,
      rssMb: process.memoryUsage().rss / 2 ** 20,
    };
  };
  return {
    url: app.url!,
    describe:
      `api+relay+orchestrator${workerProcesses === 0 ? '+worker' : ''} in one process` +
      (workerProcesses > 0 ? `, ${workerProcesses} worker process(es)` : ''),
    app,
    pids: [process.pid, ...children.map((c) => c.process.pid!)],
    usage: async () => sum([own(), ...(await Promise.all(children.map((c) => childUsage(c.process))))]),
    crashes,
    failure: () => crashFailure(crashes()),
    async close() {
      closing = true;
      await stopChildren(children);
      await app.close();
    },
  };
}
