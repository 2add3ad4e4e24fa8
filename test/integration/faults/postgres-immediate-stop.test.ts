import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'amqplib';
import { sql } from 'kysely';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import type { AppConfig } from '../../../src/infrastructure/config/app-config.js';
import { PrivatePostgres } from '../../support/private-postgres.js';
import { deleteTopology } from '../support/amqp.js';
import { deleteRedisKeys, eventually, isolatedConfig, register, startRun } from '../support/harness.js';
import { allEvents, closeApp, startAppWith, BUILTIN_TYPES, type FlowEvent } from '../support/flow-helpers.js';

/**
 * docs/failure-modes.md, "PostgreSQL down", as chaos/faults.ts injects it ("PostgreSQL immediate
 * stop and restart") but on a private server: while runs are in flight the server is stopped
 * with `pg_ctl stop -m immediate` (every backend killed mid-statement, crash recovery on the
 * next start), left down for a while and started again. Relay, orchestrator and worker share
 * one in-process app on that server; RabbitMQ and Redis are the shared ones, under this file's
 * prefixes. A burst of runs is started at once, and the server stopped once a few of them are
 * terminal; further runs are started one after another during and after the outage. Every start
 * that was accepted must end COMPLETED, each task's result applied exactly once (one
 * TaskCompleted per task, no event repeated for one attempt, seq gapless from 1), nothing
 * dead-lettered and the outbox empty. A start that rejected during the outage is fine (the
 * caller heard it), and so is one that committed although its caller heard an error: that run
 * must complete too, like every other row in `runs`.
 */
const base = isolatedConfig('pg_stop');
const DATABASE = new URL(base.databaseUrl!).pathname.slice(1);
const STEP = 'pg-step';
const TASK_TYPES = [...BUILTIN_TYPES, STEP];
/** Runs started at once before the outage; all of them must be accepted. */
const BURST = 30;
/** The server is stopped once this many of the burst are terminal (and the rest are not yet). */
const TERMINAL_BEFORE_STOP = 3;
/** Spacing of the starts after the burst, so that some runs are always just starting. */
const START_EVERY_MS = 20;
/** How long the server stays down (the chaos harness: 3–10 s). */
const DOWN_MS = 2_500;
/** Runs started after the server is back, so the last ones start on a recovered pool. */
const STARTS_AFTER_RESUME = 10;

const TASKS = ['reserve', 'charge', 'ship', 'confirm'] as const;
const TERMINAL = ['COMPLETED', 'COMPENSATED', 'FAILED', 'CANCELLED', 'COMPENSATION_FAILED'];

let server: PrivatePostgres | null = null;
let app: SagaflowApp | null = null;
let config: Partial<AppConfig> = base;
/** Cleared by afterAll, so a test that failed (timed out) mid-outage stops starting runs. */
let feeding = true;
/** Every execution of the `pg-step` handler. */
const effects: { runId: string; taskKey: string; attempt: number; key: string }[] = [];

beforeAll(async () => {
  server = await PrivatePostgres.start();
  // Quiet: every role logs its failed database calls during the outage, which is the point here.
  config = { ...base, databaseUrl: server.url(DATABASE), logLevel: 'fatal' };
  app = await startAppWith(config, (registry) => {
    // A few milliseconds of work per step keeps runs in flight long enough to be cut.
    registry.register(STEP, async (_input, ctx) => {
      effects.push({ runId: ctx.runId, taskKey: ctx.taskKey, attempt: ctx.attempt, key: ctx.idempotencyKey });
      await sleep(5 + Math.floor(Math.random() * 20));
      return { step: ctx.taskKey, run: ctx.runId, attempt: ctx.attempt };
    });
  });
  // A saga: reserve, then charge and ship in parallel, then confirm; compensations never run.
  await register(app, {
    name: 'pg-saga',
    tasks: [
      { key: 'reserve', type: STEP, compensation: { type: 'echo', input: { release: true } } },
      {
        key: 'charge',
        type: STEP,
        dependsOn: ['reserve'],
        compensation: { type: 'echo', input: { refund: true } },
      },
      { key: 'ship', type: 'echo', dependsOn: ['reserve'], input: { shipped: '${input.n}' } },
      { key: 'confirm', type: STEP, dependsOn: ['charge', 'ship'] },
    ],
  });
});

afterAll(async () => {
  feeding = false;
  try {
    if (app) await closeApp(app);
  } finally {
    // Removing the private server removes the run's database with it: harness.cleanup's
    // dropDatabase would target the shared server on 5432, where this database never was.
    await server?.remove();
    const connection = await connect('amqp://guest:guest@127.0.0.1:5672');
    try {
      await deleteTopology(
        await connection.createChannel(),
        config.amqpPrefix!,
        TASK_TYPES,
        config.shardCount!,
      );
    } finally {
      await connection.close();
    }
    await deleteRedisKeys('redis://127.0.0.1:6379', config.redisPrefix!);
  }
});

/** `status → count` of the given runs, or null while the database does not answer. */
async function statuses(ids: readonly string[]): Promise<Map<string, number> | null> {
  try {
    const { rows } = await sql<{ status: string; n: string }>`
      select status, count(*) as n from runs where id = any(${[...ids]}::uuid[]) group by status`.execute(
      app!.runtime.db(),
    );
    return new Map(rows.map((row) => [row.status, Number(row.n)]));
  } catch {
    return null;
  }
}

const count = (byStatus: Map<string, number>, wanted: readonly string[]) =>
  wanted.reduce((sum, status) => sum + (byStatus.get(status) ?? 0), 0);

async function scalar(query: ReturnType<typeof sql<{ n: string }>>): Promise<number> {
  const { rows } = await query.execute(app!.runtime.db());
  return Number(rows[0]!.n);
}

describe('PostgreSQL immediate stop mid-flight', () => {
  it('completes every accepted run with each result applied once, and empties the outbox', async () => {
    const accepted: string[] = [];
    let rejected = 0;
    const outage: { phase: 'before' | 'down' | 'after' } = { phase: 'before' };
    let afterResume = 0;

    accepted.push(
      ...(await Promise.all(
        Array.from({ length: BURST }, (_, n) => startRun(app!, { definition: 'pg-saga', input: { n } })),
      )),
    );
    // Then starts runs one after another until STARTS_AFTER_RESUME of them were accepted after
    // the server came back; starts that reject (the outage) are counted, never retried.
    const feeder = (async () => {
      for (let n = BURST; feeding && afterResume < STARTS_AFTER_RESUME; n += 1) {
        const during = outage.phase;
        try {
          accepted.push(await startRun(app!, { definition: 'pg-saga', input: { n } }));
          if (during === 'after') afterResume += 1;
        } catch {
          rejected += 1;
        }
        await sleep(START_EVERY_MS);
      }
    })();

    // Mid-flight: some accepted runs are terminal, others are not.
    const atStop = await eventually(
      () => statuses(accepted),
      (s) => s !== null && count(s, TERMINAL) >= TERMINAL_BEFORE_STOP,
      10,
    );
    await server!.stopImmediate();
    outage.phase = 'down';
    const acceptedAtStop = accepted.length;
    const terminalAtStop = count(atStop!, TERMINAL);
    expect(terminalAtStop).toBeGreaterThanOrEqual(TERMINAL_BEFORE_STOP);
    expect(acceptedAtStop).toBeGreaterThan(terminalAtStop);

    await sleep(DOWN_MS);
    await server!.resume();
    outage.phase = 'after';
    await feeder;

    // Every accepted run completes (polling; the jest timeout is the only bound).
    const final = await eventually(
      () => statuses(accepted),
      (s) => s !== null && count(s, TERMINAL) === accepted.length,
      100,
    );
    expect(Object.fromEntries(final!)).toEqual({ COMPLETED: accepted.length });

    // Every run in the database, also one committed for a caller that heard an error, completed.
    const db = app!.runtime.db();
    const { rows: all } = await sql<{ id: string; status: string }>`select id, status from runs`.execute(db);
    expect(all.filter((row) => row.status !== 'COMPLETED')).toEqual([]);
    expect(all.map((row) => row.id)).toEqual(expect.arrayContaining(accepted));

    const completedAttempt = new Map<string, number | null>();
    for (const row of all) {
      const events = await allEvents(app!, row.id);
      expectAppliedOnce(row.id, events);
      for (const e of events.filter((e) => e.type === 'TaskCompleted'))
        completedAttempt.set(`${row.id}/${e.taskKey}`, e.attempt);
    }
    // The output each task kept is its completed attempt's own.
    const { rows: tasks } = await sql<{
      run_id: string;
      key: string;
      status: string;
      attempt: number;
      output: unknown;
    }>`
      select run_id, key, status, attempt, output from task_runs where key <> 'ship'`.execute(db);
    expect(tasks).toHaveLength(all.length * (TASKS.length - 1));
    for (const task of tasks) {
      const attempt = completedAttempt.get(`${task.run_id}/${task.key}`);
      expect(task).toEqual({
        run_id: task.run_id,
        key: task.key,
        status: 'COMPLETED',
        attempt,
        output: { step: task.key, run: task.run_id, attempt },
      });
    }

    // However often a step ran, it ran under one idempotency key per task.
    const keys = new Map<string, Set<string>>();
    for (const effect of effects) {
      const id = `${effect.runId}/${effect.taskKey}`;
      keys.set(id, (keys.get(id) ?? new Set()).add(effect.key));
    }
    expect([...keys.values()].filter((set) => set.size !== 1)).toEqual([]);

    // Nothing was given up on, and every outbox row was published.
    expect(await scalar(sql<{ n: string }>`select count(*) as n from dead_letters`)).toBe(0);
    expect(
      await eventually(
        () => scalar(sql<{ n: string }>`select count(*) as n from outbox`),
        (n) => n === 0,
        100,
      ),
    ).toBe(0);
    // The outage reached the callers: starts while the server was down were refused
    // (docs/failure-modes.md: nothing commits), not accepted and then lost.
    expect(rejected).toBeGreaterThan(0);
  }, 180_000);
});

/** seq gapless from 1; started once, completed once as the last event; each task completed once. */
function expectAppliedOnce(runId: string, events: FlowEvent[]): void {
  expect({ runId, seqs: events.map((e) => e.seq) }).toEqual({ runId, seqs: events.map((_, i) => i + 1) });
  const types = events.map((e) => e.type);
  expect({ runId, first: types[0], last: types.at(-1) }).toEqual({
    runId,
    first: 'RunStarted',
    last: 'RunCompleted',
  });
  expect({ runId, started: types.filter((t) => t === 'RunStarted').length }).toEqual({ runId, started: 1 });
  expect({ runId, completed: types.filter((t) => t === 'RunCompleted').length }).toEqual({
    runId,
    completed: 1,
  });
  // No event repeated for one task and attempt (a result applied twice would repeat TaskCompleted).
  const seen = new Map<string, number>();
  for (const e of events.filter((e) => e.taskKey !== null)) {
    const label = `${e.type}/${e.taskKey}/${e.attempt}`;
    seen.set(label, (seen.get(label) ?? 0) + 1);
  }
  expect({ runId, repeated: [...seen].filter(([, n]) => n > 1) }).toEqual({ runId, repeated: [] });
  for (const key of TASKS) {
    const completed = events.filter((e) => e.type === 'TaskCompleted' && e.taskKey === key);
    expect({ runId, task: key, completed: completed.length }).toEqual({ runId, task: key, completed: 1 });
  }
}
