/**
 * What the peer comparison (peers.ts) shares between its four systems: the workloads, the
 * interface each system implements, and small helpers (databases, Redis keys, CPU, completion).
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { deleteRedisKeys as deleteKeys } from '../installation.js';

export const PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = 'redis://127.0.0.1:6379';
export const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

export type WorkloadId = 'W1' | 'W2' | 'W4';

export interface Workload {
  id: WorkloadId;
  name: string;
  /** Task executions per run, compensations and the failing attempt included. */
  tasksPerRun: number;
  defaultRuns: number;
}

export const WORKLOADS: readonly Workload[] = [
  { id: 'W1', name: 'chain-3', tasksPerRun: 3, defaultRuns: 1000 },
  { id: 'W2', name: 'fan-out 10 + join', tasksPerRun: 11, defaultRuns: 300 },
  { id: 'W4', name: 'saga that compensates', tasksPerRun: 5, defaultRuns: 1000 },
];

export type SystemName = 'sagaflow' | 'bullmq' | 'pgboss' | 'graphile';
export const SYSTEM_NAMES: readonly SystemName[] = ['sagaflow', 'bullmq', 'pgboss', 'graphile'];

/** One fresh installation of a system, set up for one workload. */
export interface Installation {
  /** Starts run number `index`; resolves once the system has accepted it. */
  submit(index: number): Promise<void>;
  /**
   * Resolves once `count` runs (since the installation started) have finished with the
   * workload's expected outcome, with the epoch milliseconds of the last finish. Rejects as soon
   * as a run ends any other way, or when nothing finishes for `STALL_MS`.
   */
  waitForFinished(count: number): Promise<number>;
  /** CPU time (user + system, µs) the system's own processes have used so far. */
  cpuMicros(): number;
  /** Stops the system and deletes everything it created (databases, keys, queues). Idempotent. */
  close(): Promise<void>;
}

export interface PeerSystem {
  name: SystemName;
  /** What `cpuMicros` covers, for the printed table. */
  cpuScope: string;
  install(workload: Workload): Promise<Installation>;
}

/** A run that has not moved for this long fails the pass instead of hanging it. */
export const STALL_MS = Number(process.env.PEERS_STALL_MS ?? 60_000);

let sequence = 0;
/** A suffix unique to this process and call: `<pid>_<n>`. */
export function uniqueId(): string {
  sequence += 1;
  return `${process.pid}_${sequence}`;
}

export async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function databaseUrl(name: string): string {
  return `postgres://postgres@127.0.0.1:5432/${name}`;
}

export async function createDatabase(name: string): Promise<void> {
  await withAdmin((c) => c.query(`create database "${name}"`));
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((c) => c.query(`drop database if exists "${name}" with (force)`));
}

/** Deletes every Redis key that starts with `prefix` (on the bench's Redis). */
export const deleteRedisKeys = (prefix: string): Promise<void> => deleteKeys(REDIS_URL, prefix);

/** CPU of this process, µs (the in-process peers and, negligibly, the bench around them). */
export function ownCpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

let clockTicks: number | null = null;
/** CPU (utime + stime) of another process from /proc/<pid>/stat, µs. */
export function procCpuMicros(pid: number): number {
  if (clockTicks === null) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    clockTicks = Number(out.stdout.trim()) || 100;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces: state is
  // field 3, utime field 14 and stime field 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / clockTicks;
}

/**
 * Counts finished runs reported by in-process events, and wakes whoever waits for a count.
 * `fail` makes every wait reject (a wrong outcome, an error event).
 */
export class Completion {
  private finished = 0;
  private lastAt = 0;
  private lastProgress = Date.now();
  private error: Error | null = null;
  private readonly waiters = new Set<{
    count: number;
    resolve: (at: number) => void;
    reject: (e: Error) => void;
  }>();

  finish(): void {
    this.finished += 1;
    this.lastAt = Date.now();
    this.lastProgress = this.lastAt;
    for (const w of this.waiters) {
      if (this.finished >= w.count) {
        this.waiters.delete(w);
        w.resolve(this.lastAt);
      }
    }
  }

  fail(error: unknown): void {
    if (this.error) return;
    this.error = error instanceof Error ? error : new Error(String(error));
    for (const w of this.waiters) w.reject(this.error);
    this.waiters.clear();
  }

  wait(count: number): Promise<number> {
    if (this.error) return Promise.reject(this.error);
    if (this.finished >= count) return Promise.resolve(this.lastAt);
    this.lastProgress = Date.now();
    return new Promise<number>((resolve, reject) => {
      const waiter = {
        count,
        resolve: (at: number) => {
          clearInterval(watchdog);
          resolve(at);
        },
        reject: (e: Error) => {
          clearInterval(watchdog);
          reject(e);
        },
      };
      const watchdog = setInterval(() => {
        if (Date.now() - this.lastProgress > STALL_MS) {
          this.waiters.delete(waiter);
          waiter.reject(
            new Error(`stalled: ${this.finished} of ${count} runs finished, none for ${STALL_MS} ms`),
          );
        }
      }, 1000);
      this.waiters.add(waiter);
    });
  }
}

/**
 * Polls `check` (which returns how many runs finished, or throws on a wrong outcome) until it
 * reaches `count`; fails when the count does not move for `STALL_MS`.
 */
export async function pollFinished(
  count: number,
  check: () => Promise<number>,
  intervalMs = 50,
): Promise<void> {
  let last = -1;
  let lastProgress = Date.now();
  for (;;) {
    const finished = await check();
    if (finished >= count) return;
    if (finished !== last) {
      last = finished;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > STALL_MS) {
      throw new Error(`stalled: ${finished} of ${count} runs finished, none for ${STALL_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Runs `cleanups` in order, all of them, and rethrows the first failure. */
export async function runAll(cleanups: Array<() => Promise<unknown>>): Promise<void> {
  let first: Error | null = null;
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (err) {
      first ??= err instanceof Error ? err : new Error(String(err));
    }
  }
  if (first !== null) throw first;
}
