/**
 * Invariants of docs/contract.md#runs checked from a run's events (rules 4 and 5): seq gapless from 1, and
 * every task or compensation result applied at most once per attempt. Each check returns
 * readable violations instead of throwing, so a failing test shows the evidence for every run.
 */
import { RUN_EVENT_TYPES } from '../../../src/domain/run/run-events.js';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import { RegisterDefinitionCommand } from '../../../src/application/commands/register-definition.js';
import { StartRunCommand } from '../../../src/application/commands/start-run.js';
import { GetRunEventsQuery, GetRunQuery } from '../../../src/application/queries/run-queries.js';
import type { RunView } from '../../../src/application/queries/run-view.js';
import type pg from 'pg';
import type { AppConfig } from '../../../src/infrastructure/config/app-config.js';
import {
  brokerQueues,
  childUsage,
  dbSessions,
  runStatusCounts,
  shardLeases,
  type Execution,
  type SagaflowChild,
} from './processes.js';
import { localAdmin } from '../../../src/application/actor.js';
import { parseRegisterDefinition } from '../../../src/application/contracts/requests/definition-body.js';
import { parseStartRun } from '../../../src/application/contracts/requests/start-run.js';

export interface E2eEvent {
  seq: number;
  type: string;
  taskKey: string | null;
  attempt: number | null;
  data: Record<string, unknown> | null;
}

export async function registerDefinition(app: SagaflowApp, definition: unknown): Promise<void> {
  await app.app
    .get(CommandBus)
    .execute(new RegisterDefinitionCommand(localAdmin(), parseRegisterDefinition(definition)));
}

export async function startRun(app: SagaflowApp, body: unknown): Promise<string> {
  const { run } = await app.app
    .get(CommandBus)
    .execute<StartRunCommand, { run: { id: string } }>(
      new StartRunCommand(localAdmin(), parseStartRun(body)),
    );
  return run.id;
}

export async function getRun(app: SagaflowApp, id: string): Promise<RunView> {
  return app.app.get(QueryBus).execute(new GetRunQuery(localAdmin(), id));
}

/** Every event of a run through the query bus (the read path clients use), in the order served. */
export async function runEvents(app: SagaflowApp, runId: string): Promise<E2eEvent[]> {
  const out: E2eEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await app.app
      .get(QueryBus)
      .execute<GetRunEventsQuery, { items: E2eEvent[]; nextCursor: string | null }>(
        new GetRunEventsQuery(localAdmin(), runId, { after, limit: 1000 }),
      );
    out.push(...page.items);
    if (page.nextCursor === null) return out;
    after = Number(page.nextCursor);
  }
}

const label = (e: E2eEvent) => `#${e.seq} ${e.type}/${e.taskKey ?? '-'}/${e.attempt ?? '-'}`;

/** Event types that record one decision about one attempt (or about the run): never twice. */
const ONCE_PER_ATTEMPT = new Set<string>(
  RUN_EVENT_TYPES.filter((t) => !['RunCancelRequested', 'RunCancelled', 'RunRetried'].includes(t)),
);

const RUN_TERMINAL_EVENTS = new Set(['RunCompleted', 'RunFailed', 'RunCompensated', 'RunCompensationFailed']);

/**
 * Violations of rules 4 and 5 in one run's events:
 * - seq is exactly 1..n in order (gapless, no duplicate);
 * - per (taskKey, attempt) at most one TaskCompleted/TaskFailed, and at most one
 *   CompensationCompleted/CompensationFailed (a result applied twice would record a second);
 * - no single-decision event (queued, started, retry scheduled, …) recorded twice for one attempt;
 * - exactly one terminal run event, and it is the last event.
 */
export function eventViolations(runId: string, events: E2eEvent[]): string[] {
  const problems: string[] = [];
  const seqs = events.map((e) => e.seq);
  const expected = events.map((_, i) => i + 1);
  if (seqs.join(',') !== expected.join(',')) {
    problems.push(`run ${runId}: seq is [${seqs.join(',')}], expected 1..${events.length} gapless`);
  }
  const groups = new Map<string, E2eEvent[]>();
  const add = (key: string, e: E2eEvent) => groups.set(key, [...(groups.get(key) ?? []), e]);
  for (const e of events) {
    if (e.type === 'TaskCompleted' || e.type === 'TaskFailed') {
      add(`task result ${e.taskKey}/${e.attempt}`, e);
    }
    if (e.type === 'CompensationCompleted' || e.type === 'CompensationFailed') {
      add(`compensation result ${e.taskKey}/${e.attempt}`, e);
    }
    if (ONCE_PER_ATTEMPT.has(e.type)) {
      // A task attempt and a compensation attempt may share a number: TaskRetryScheduled says which.
      const kind = e.type === 'TaskRetryScheduled' ? `/${String(e.data?.kind)}` : '';
      add(`event ${e.type}/${e.taskKey ?? '-'}/${e.attempt ?? '-'}${kind}`, e);
    }
  }
  for (const [key, group] of groups) {
    if (group.length > 1) {
      problems.push(`run ${runId}: ${key} recorded ${group.length} times: ${group.map(label).join(', ')}`);
    }
  }
  const terminal = events.filter((e) => RUN_TERMINAL_EVENTS.has(e.type));
  if (terminal.length !== 1 || events.at(-1) !== terminal[0]) {
    problems.push(
      `run ${runId}: expected one terminal run event, last; got [${terminal.map(label).join(', ')}] ` +
        `and last ${events.length > 0 ? label(events.at(-1)!) : 'nothing'}`,
    );
  }
  return problems;
}

/**
 * Rule 5's other half: every applied completion has a handler execution behind it (at least
 * once). Returns the completions that no logged execution explains.
 */
export function unexplainedCompletions(runId: string, events: E2eEvent[], executions: Set<string>): string[] {
  return events
    .filter((e) => e.type === 'TaskCompleted' || e.type === 'CompensationCompleted')
    .map((e) => ({
      e,
      key: executionKey(runId, e.taskKey!, e.type === 'TaskCompleted' ? 'task' : 'compensation', e.attempt!),
    }))
    .filter(({ key }) => !executions.has(key))
    .map(({ e }) => `run ${runId}: ${label(e)} has no handler execution in the log`);
}

export function executionKey(
  runId: string,
  taskKey: string,
  kind: Execution['kind'],
  attempt: number,
): string {
  return `${runId}/${taskKey}/${kind}/${attempt}`;
}

/** How many (run, task, kind, attempt) were executed more than once: redeliveries after the crash. */
export function repeatedExecutions(executions: Execution[]): number {
  const seen = new Map<string, number>();
  for (const x of executions) {
    const key = executionKey(x.runId, x.taskKey, x.kind, x.attempt);
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen.values()].filter((n) => n > 1).length;
}

/**
 * The workflow both e2e tests run, on the fixture handler `slow` (test/e2e/fixtures):
 *
 *     a ─┬─ b ─┬─ d        a, b and c have compensations; d has none.
 *        └─ c ─┘
 *
 * The run's input picks each step's mode: `d: 'fail'` fails d non-retryably so the run
 * compensates c, b, then a; `b: 'flaky'` fails b's first attempt retryably; `undoA: 'flaky'`
 * fails a's first compensation attempt retryably.
 */
export function sagaDefinition(name: string) {
  const retry = { maxAttempts: 3, initialIntervalMs: 50, maxIntervalMs: 200 };
  return {
    name,
    tasks: [
      {
        key: 'a',
        type: 'slow',
        input: { mode: 'ok' },
        compensation: { type: 'slow', input: { mode: '${input.undoA}' }, retry },
      },
      {
        key: 'b',
        type: 'slow',
        dependsOn: ['a'],
        input: { mode: '${input.b}' },
        retry,
        compensation: { type: 'slow', input: { mode: 'ok' }, retry },
      },
      {
        key: 'c',
        type: 'slow',
        dependsOn: ['a'],
        input: { mode: 'ok' },
        compensation: { type: 'slow', input: { mode: 'ok' }, retry },
      },
      { key: 'd', type: 'slow', dependsOn: ['b', 'c'], input: { mode: '${input.d}' }, retry },
    ],
  };
}

export interface SagaInput {
  d: 'ok' | 'fail';
  b: 'ok' | 'flaky';
  undoA: 'ok' | 'flaky';
}

/** A mix: every third run compensates, every fourth retries b, every fifth retries a's undo. */
export function sagaInput(i: number): SagaInput {
  return {
    d: i % 3 === 0 ? 'fail' : 'ok',
    b: i % 4 === 1 ? 'flaky' : 'ok',
    undoA: i % 5 === 0 ? 'flaky' : 'ok',
  };
}

/** Differences between a finished run and what its input designed it to do. */
export function outcomeViolations(run: RunView, input: SagaInput): string[] {
  const task = (key: string) => run.tasks.find((t) => t.key === key);
  const actual = {
    status: run.status,
    tasks: Object.fromEntries(run.tasks.map((t) => [t.key, t.status])),
    bAttempts: task('b')?.attempts,
    undoAAttempts: task('a')?.compensation?.attempts ?? null,
  };
  const compensates = input.d === 'fail';
  const designed = {
    status: compensates ? 'COMPENSATED' : 'COMPLETED',
    tasks: compensates
      ? { a: 'COMPENSATED', b: 'COMPENSATED', c: 'COMPENSATED', d: 'FAILED' }
      : { a: 'COMPLETED', b: 'COMPLETED', c: 'COMPLETED', d: 'COMPLETED' },
    bAttempts: input.b === 'flaky' ? 2 : 1,
    undoAAttempts: compensates ? (input.undoA === 'flaky' ? 2 : 1) : (actual.undoAAttempts ?? null),
  };
  return JSON.stringify(actual) === JSON.stringify(designed)
    ? []
    : [
        `run ${run.id} (input ${JSON.stringify(input)}): got ${JSON.stringify(actual)}, designed ${JSON.stringify(designed)}`,
      ];
}

/**
 * Everything rules 4 and 5 and the designed outcomes say about these runs, read through the
 * query bus: [] when all hold.
 */
export async function runViolations(
  app: SagaflowApp,
  runs: { id: string; input: SagaInput }[],
  executions: Execution[],
): Promise<string[]> {
  const executed = new Set(executions.map((x) => executionKey(x.runId, x.taskKey, x.kind, x.attempt)));
  const problems: string[] = [];
  for (const { id, input } of runs) {
    const run = await getRun(app, id);
    const events = await runEvents(app, id);
    problems.push(
      ...outcomeViolations(run, input),
      ...eventViolations(id, events),
      ...unexplainedCompletions(id, events, executed),
    );
  }
  return problems;
}

/**
 * What a report of runs that never finished needs: status counts, a few stuck runs' events,
 * shard leases, broker queues, database sessions, the children's CPU and output.
 */
export async function describeStuck(
  app: SagaflowApp,
  db: pg.Client,
  config: Partial<AppConfig>,
  children: SagaflowChild[],
  definition: string,
  extra: string[] = [],
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `select id from runs where definition_name = $1 and status in ('RUNNING', 'COMPENSATING') limit 3`,
    [definition],
  );
  const examples = await Promise.all(
    rows.map(async ({ id }) => {
      const events = await runEvents(app, id);
      return `stuck run ${id}: ${events.map((e) => `${e.type}/${e.taskKey ?? '-'}/${e.attempt ?? '-'}`).join(' ')}`;
    }),
  );
  return [
    `runs of ${definition} by status: ${JSON.stringify(Object.fromEntries(await runStatusCounts(db, definition)))}`,
    ...examples,
    `live shard leases: ${JSON.stringify(Object.fromEntries(await shardLeases(db)))}`,
    ...extra,
    ...brokerQueues(config.amqpPrefix!),
    ...(await dbSessions(db)),
    ...childUsage(children),
    ...children.map(
      (c) =>
        `--- ${c.spec.name} (pid ${c.pid}, ${c.alive ? 'alive' : 'dead'}) output tail:\n${c.tail.slice(-3000)}`,
    ),
  ].join('\n');
}
