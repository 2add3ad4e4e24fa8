/**
 * Child Sagaflow processes for the end-to-end tests: each child is `dist/src/main.js` run by the
 * same Node as jest, configured through the environment exactly as in production
 * (SAGAFLOW_ROLES, DATABASE_URL, …). The test process itself only drives the system through
 * an in-process app without roles and inspects PostgreSQL.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { AppConfig, Role } from '../../../src/infrastructure/config/app-config.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const MAIN = resolve(ROOT, 'dist/src/main.js');
export const FIXTURES = resolve(ROOT, 'test/e2e/fixtures');

/** Every child still alive, so that a dying jest worker does not leave orphans behind. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Makes sure the build the children run exists and is current. `npm test` builds before jest;
 * when jest is run directly, a missing build is an error (run `npm run build`), and a build
 * older than the sources is rebuilt once with `tsc -p tsconfig.build.json` (which emits even
 * when it reports type errors elsewhere, so its exit code is not what counts: the result is).
 */
export function ensureBuilt(): void {
  if (!existsSync(MAIN)) {
    throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does it before jest)`);
  }
  if (!isStale()) return;
  const lock = resolve(ROOT, 'dist/.e2e-build.lock');
  try {
    mkdirSync(lock);
  } catch {
    // Another test file is building: wait for it (bounded by the jest timeout).
    while (existsSync(lock)) spawnSync('sleep', ['0.2']);
    return;
  }
  const started = Date.now();
  try {
    spawnSync(
      process.execPath,
      [resolve(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: ROOT,
        stdio: 'ignore',
      },
    );
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  if (statSync(MAIN).mtimeMs < started - 1_000) {
    throw new Error(`tsc -p tsconfig.build.json did not emit ${MAIN}: run \`npm run build\` to see why`);
  }
}

function isStale(): string | null {
  const built = statSync(MAIN).mtimeMs;
  const newest = newestSource(resolve(ROOT, 'src'));
  return newest !== null && newest.mtimeMs > built ? newest.path : null;
}

function newestSource(dir: string): { path: string; mtimeMs: number } | null {
  let newest: { path: string; mtimeMs: number } | null = null;
  for (const entry of readdirSyncSafe(dir)) {
    const path = resolve(dir, entry.name);
    const candidate = entry.isDirectory() ? newestSource(path) : { path, mtimeMs: statSync(path).mtimeMs };
    if (candidate && (!newest || candidate.mtimeMs > newest.mtimeMs)) newest = candidate;
  }
  return newest;
}

function readdirSyncSafe(dir: string) {
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : [];
}

export interface ChildSpec {
  /** For messages only. */
  name: string;
  roles: Role[];
  /** The installation: database, AMQP prefix, shard count (from `isolatedConfig`). */
  config: Partial<AppConfig>;
  instanceId: string;
  /** Handler module paths (SAGAFLOW_HANDLERS). */
  handlers?: string[];
  /** Extra environment, e.g. the path of a fixture's log file. */
  env?: Record<string, string>;
  /** Keep all of stdout (the log lines), not only the tail: see {@link SagaflowChild.stdout}. */
  keepStdout?: boolean;
  /**
   * The stdout line `start` waits for. Default: the start line (`sagaflow <id> running roles …`);
   * {@link LISTENING_LINE} waits only for the api's port, before any dependency is connected.
   */
  waitFor?: RegExp;
}

/** The line an api prints once its port is open, before its dependencies are connected; group 1 is the URL. */
export const LISTENING_LINE = /sagaflow listening on (http:\/\/[^\s";]+)/;

/** In the start line of a process without the api role: where its `/metrics` answers; group 1 is the URL. */
export const METRICS_LINE = /metrics on (http:\/\/[^\s";]+)/;

/** The environment a child reads its configuration from (docs/contract.md#processes-and-roles). */
export function childEnv(spec: ChildSpec): NodeJS.ProcessEnv {
  const { config } = spec;
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    NODE_ENV: 'test',
    PORT: '0',
    // Roles without the api serve /metrics and /health here: any free port, so children never collide.
    SAGAFLOW_METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
    SAGAFLOW_ROLES: spec.roles.join(','),
    SAGAFLOW_INSTANCE_ID: spec.instanceId,
    DATABASE_URL: config.databaseUrl,
    AMQP_URL: config.amqpUrl ?? 'amqp://guest:guest@127.0.0.1:5672',
    SAGAFLOW_AMQP_PREFIX: config.amqpPrefix,
    SAGAFLOW_REDIS_PREFIX: config.redisPrefix,
    SAGAFLOW_SHARDS: String(config.shardCount ?? 8),
    SAGAFLOW_MIGRATE: String(config.migrate ?? true),
    SAGAFLOW_INLINE_PUBLISH: String(config.inlinePublish ?? true),
    SAGAFLOW_HANDLERS: (spec.handlers ?? []).join(','),
    SAGAFLOW_HTTP_ALLOW: (config.httpAllow ?? []).join(','),
    ...spec.env,
  };
}

const OUTPUT_TAIL = 8_000;

/** One running `dist/src/main.js`. */
export class SagaflowChild {
  private output = '';
  private readonly stdoutChunks: Buffer[] = [];
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly spec: ChildSpec,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.exitInfo = { code, signal };
        resolveExit(this.exitInfo);
      });
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    if (spec.keepStdout) child.stdout?.on('data', (chunk: Buffer) => this.stdoutChunks.push(chunk));
  }

  /** Everything the child wrote to stdout so far (with `keepStdout`; empty otherwise). */
  get stdout(): string {
    return Buffer.concat(this.stdoutChunks).toString('utf8');
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  /** The last few kilobytes of stdout and stderr, for failure messages. */
  get tail(): string {
    return this.output;
  }

  /**
   * Spawns the child and resolves once it printed `sagaflow <id> running roles …` (printed after
   * every role started: migrated, topology declared, consumers attached). Rejects with the
   * child's output if it exits first; the jest timeout bounds the wait. The handle is pushed
   * to `track` at once, before readiness, so that an afterAll kills it whatever happens.
   */
  static async start(spec: ChildSpec, track: SagaflowChild[]): Promise<SagaflowChild> {
    const child = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: childEnv(spec),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    const handle = new SagaflowChild(spec, child);
    track.push(handle);
    await new Promise<void>((resolveReady, reject) => {
      let seen = '';
      const onData = (chunk: Buffer) => {
        seen += chunk.toString('utf8');
        if ((spec.waitFor ?? /sagaflow \S+ running roles/).test(seen)) {
          child.stdout?.off('data', onData);
          resolveReady();
        }
      };
      child.stdout?.on('data', onData);
      void handle.exited.then(({ code, signal }) =>
        reject(
          new Error(
            `child ${spec.name} exited before it was ready (code ${code}, signal ${signal}):\n${handle.tail}`,
          ),
        ),
      );
    });
    return handle;
  }

  /** `kill -9`: no shutdown hook runs, nothing is acked, leases stay until they expire. */
  async crash(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGSTOP: the process freezes as in a long GC pause; sockets stay open, timers fall behind. */
  pause(): void {
    if (this.alive) this.child.kill('SIGSTOP');
  }

  /** SIGCONT after {@link pause}. */
  resume(): void {
    if (this.alive) this.child.kill('SIGCONT');
  }

  /** Graceful stop (SIGTERM), escalating to SIGKILL after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Kills every child given (SIGKILL) and waits for them to be gone; never throws. */
export async function killAll(children: Iterable<SagaflowChild | null | undefined>): Promise<void> {
  const alive = [...children].filter((child): child is SagaflowChild => child != null);
  await Promise.all(alive.map((child) => child.crash().catch(() => undefined)));
}

/** A plain pg client on the installation's database, for polling and invariant queries. */
export async function openDb(config: Partial<AppConfig>): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: config.databaseUrl });
  await client.connect();
  return client;
}

/** Counts runs by status: all runs, or those of `definition`. */
export async function runStatusCounts(db: pg.Client, definition?: string): Promise<Map<string, number>> {
  const { rows } = await db.query<{ status: string; n: string }>(
    'select status, count(*) as n from runs where $1::text is null or definition_name = $1 group by status',
    [definition ?? null],
  );
  return new Map(rows.map((r) => [r.status, Number(r.n)]));
}

export const TERMINAL_STATUSES = ['COMPLETED', 'COMPENSATED', 'FAILED', 'CANCELLED', 'COMPENSATION_FAILED'];

export async function terminalCount(db: pg.Client, definition?: string): Promise<number> {
  const counts = await runStatusCounts(db, definition);
  return TERMINAL_STATUSES.reduce((sum, status) => sum + (counts.get(status) ?? 0), 0);
}

/** Live shard leases: shard → owner. */
export async function shardLeases(db: pg.Client): Promise<Map<number, string>> {
  const { rows } = await db.query<{ shard: number; owner: string }>(
    'select shard, owner from shard_leases where expires_at > now() order by shard',
  );
  return new Map(rows.map((r) => [r.shard, r.owner]));
}

/** One line of a fixture handler's execution log. */
export interface Execution {
  pid: number;
  runId: string;
  taskKey: string;
  kind: 'task' | 'compensation';
  attempt: number;
}

export function readExecutions(path: string): Execution[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Execution);
}

export const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/**
 * Ready and unacked messages and consumers of every queue of the installation, from
 * `rabbitmqctl` (for failure diagnostics; an explanation instead when it is not available).
 */
export function brokerQueues(prefix: string): string[] {
  const listed = spawnSync(
    'rabbitmqctl',
    [
      'list_queues',
      '-q',
      '--no-table-headers',
      'name',
      'messages_ready',
      'messages_unacknowledged',
      'consumers',
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (listed.status !== 0)
    return [`rabbitmqctl list_queues failed: ${listed.error?.message ?? listed.stderr}`];
  return listed.stdout
    .split('\n')
    .filter((line) => line.startsWith(`${prefix}.`))
    .map((line) => {
      const [name, ready, unacked, consumers] = line.split('\t');
      return `${name!.slice(prefix.length + 1)}: ${ready} ready, ${unacked} unacked, ${consumers} consumers`;
    })
    .sort();
}

/** What the installation's database sessions are doing, for failure diagnostics. */
export async function dbSessions(db: pg.Client): Promise<string[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select pid, state, wait_event_type, wait_event,
            round(extract(epoch from now() - xact_start)::numeric, 1) as xact_s,
            left(regexp_replace(query, '\\s+', ' ', 'g'), 160) as query
       from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()
      order by xact_start nulls last`,
  );
  return rows.map((r) => JSON.stringify(r));
}

/** CPU and memory of the children, from `ps`, for failure diagnostics. */
export function childUsage(children: SagaflowChild[]): string[] {
  const pids = children.filter((c) => c.alive).map((c) => String(c.pid));
  if (pids.length === 0) return [];
  const ps = spawnSync('ps', ['-o', 'pid,pcpu,cputime,rss', '-p', pids.join(',')], { encoding: 'utf8' });
  return ps.stdout.trim().split('\n');
}
