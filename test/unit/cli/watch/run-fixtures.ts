import type {
  CompensationJson,
  EventJson,
  RunJson,
  TaskJson,
} from '../../../../src/interfaces/cli/watch/run-json.js';

/**
 * One run of the README's order saga (reserve → charge → ship, each with a compensation), fixed
 * in time so frames are stable: `NOW` is when every frame is drawn.
 */
export const RUN_ID = '0b6f3c1e-5d2a-4c8e-9f10-2a3b4c5d6e7f';
export const T0 = Date.parse('2026-12-04T19:00:00.000Z');
export const NOW = T0 + 5_000;

export const at = (ms: number) => new Date(T0 + ms).toISOString();

function task(key: string, type: string, dependsOn: string[], fields: Partial<TaskJson> = {}): TaskJson {
  return {
    key,
    type,
    dependsOn,
    status: 'PENDING',
    attempts: 0,
    error: null,
    queuedAt: null,
    startedAt: null,
    finishedAt: null,
    compensation: compensation(),
    ...fields,
  };
}

function compensation(fields: Partial<CompensationJson> = {}): CompensationJson {
  return { status: 'PENDING', attempts: 0, error: null, startedAt: null, finishedAt: null, ...fields };
}

function run(fields: Partial<RunJson>, tasks: TaskJson[]): RunJson {
  return {
    id: RUN_ID,
    namespace: 'default',
    definition: { name: 'order-saga', version: 1 },
    status: 'RUNNING',
    error: null,
    createdAt: at(0),
    startedAt: at(0),
    finishedAt: null,
    tasks,
    ...fields,
  };
}

const done = (start: number, end: number, attempts = 1): Partial<TaskJson> => ({
  status: 'COMPLETED',
  attempts,
  queuedAt: at(start - 5),
  startedAt: at(start),
  finishedAt: at(end),
});

/** Just started: `reserve` queued, the rest waiting. */
export const pendingRun = run({}, [
  task('reserve', 'echo', [], { status: 'QUEUED', attempts: 1, queuedAt: at(1) }),
  task('charge', 'http', ['reserve']),
  task('ship', 'noop', ['charge']),
]);

/** `reserve` done, `charge` running its second attempt after a failure. */
export const runningRun = run({}, [
  task('reserve', 'echo', [], done(10, 130)),
  task('charge', 'http', ['reserve'], {
    status: 'RUNNING',
    attempts: 2,
    queuedAt: at(2_990),
    startedAt: at(3_000),
    error: { message: 'HTTP 503 from http://pay/charge', code: 'retryable' },
  }),
  task('ship', 'noop', ['charge']),
]);

/** Every task completed. */
export const completedRun = run({ status: 'COMPLETED', finishedAt: at(4_200) }, [
  task('reserve', 'echo', [], done(10, 130)),
  task('charge', 'http', ['reserve'], { ...done(3_000, 3_900, 2), error: null }),
  task('ship', 'noop', ['charge'], done(4_000, 4_150)),
]);

/** `charge` failed for good; `reserve`'s compensation is running. */
export const compensatingRun = run({ status: 'COMPENSATING' }, [
  task('reserve', 'echo', [], {
    ...done(10, 130),
    status: 'COMPENSATING',
    compensation: compensation({ status: 'RUNNING', attempts: 1, startedAt: at(4_500) }),
  }),
  task('charge', 'http', ['reserve'], {
    status: 'FAILED',
    attempts: 3,
    queuedAt: at(3_990),
    startedAt: at(4_000),
    finishedAt: at(4_400),
    error: { message: 'POST http://127.0.0.1:47/charge failed: ECONNREFUSED', code: 'retryable' },
  }),
  task('ship', 'noop', ['charge'], { status: 'SKIPPED' }),
]);

/** The saga unwound: `reserve` compensated. */
export const compensatedRun = run(
  {
    status: 'COMPENSATED',
    finishedAt: at(4_700),
    error: { taskKey: 'charge', message: 'POST http://127.0.0.1:47/charge failed: ECONNREFUSED' },
  },
  [
    task('reserve', 'echo', [], {
      ...done(10, 130),
      status: 'COMPENSATED',
      compensation: compensation({
        status: 'COMPLETED',
        attempts: 1,
        startedAt: at(4_500),
        finishedAt: at(4_620),
      }),
    }),
    compensatingRun.tasks[1]!,
    task('ship', 'noop', ['charge'], { status: 'SKIPPED' }),
  ],
);

export function event(
  seq: number,
  type: string,
  taskKey: string | null,
  attempt: number | null,
  data = {},
): EventJson {
  return { seq, type, taskKey, attempt, at: at(seq * 100), data };
}

/** docs/events.md's example: `charge` fails three times and `reserve` is compensated. */
export const compensationEvents: EventJson[] = [
  event(1, 'RunStarted', null, null, { definition: 'order-saga', version: 1 }),
  event(2, 'TaskQueued', 'reserve', 1, { type: 'echo' }),
  event(3, 'TaskStarted', 'reserve', 1),
  event(4, 'TaskCompleted', 'reserve', 1),
  event(5, 'TaskQueued', 'charge', 1, { type: 'http' }),
  event(6, 'TaskStarted', 'charge', 1),
  event(7, 'TaskFailed', 'charge', 1, {
    final: false,
    error: { message: 'ECONNREFUSED', code: 'retryable' },
  }),
  event(8, 'TaskRetryScheduled', 'charge', 1, { kind: 'task', delayMs: 100, nextAttempt: 2 }),
  event(9, 'TaskFailed', 'charge', 2, { final: true, error: { message: 'ECONNREFUSED', code: 'retryable' } }),
  event(10, 'TaskSkipped', 'ship', null),
  event(11, 'CompensationQueued', 'reserve', 1, { type: 'echo' }),
  event(12, 'CompensationStarted', 'reserve', 1),
  event(13, 'CompensationFailed', 'reserve', 1, { final: false, error: { message: 'stock service busy' } }),
  event(14, 'TaskRetryScheduled', 'reserve', 1, { kind: 'compensation', delayMs: 1500, nextAttempt: 2 }),
  event(15, 'CompensationQueued', 'reserve', 2, { type: 'echo' }),
  event(16, 'CompensationCompleted', 'reserve', 2),
  event(17, 'RunCompensated', null, null, { error: { taskKey: 'charge', message: 'ECONNREFUSED' } }),
];
