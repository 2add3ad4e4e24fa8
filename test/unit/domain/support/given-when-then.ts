/**
 * Given events / When command / Then events, for the run aggregate (docs/architecture.md, "The run
 * aggregate decides, the saga persists"). The history is folded with `evolve` into the state the
 * run is restored from; after the command, the whole history (given + new events) must fold into
 * exactly the aggregate's snapshot.
 */
import { expect } from '@jest/globals';
import type { WorkflowDefinition } from '../../../../src/domain/definition/workflow-definition.js';
import { eventName, type StepKind } from '../../../../src/domain/run/attempt-step.js';
import { evolve } from '../../../../src/domain/run/evolve.js';
import { initialRunState } from '../../../../src/domain/run/new-run.js';
import type { DecisionContext, Dispatch } from '../../../../src/domain/run/run-events.js';
import {
  newEvent,
  NO_FACTS,
  RUN_LEVEL,
  type DomainRunEvent,
  type NewRunEvent,
} from '../../../../src/domain/run/run-facts.js';
import type { Json, RunError, RunSnapshot, TaskError } from '../../../../src/domain/run/run-snapshot.js';
import { WorkflowRun } from '../../../../src/domain/run/workflow-run.js';
import { at, ctxAt, newRunOf, type StartOptions } from './builders.js';

type Kind = StepKind;
const name = eventName;

/** History builders: the facts each event needs, with the defaults of a `noop` step. */
export const history = {
  runStarted: (ms = 0): NewRunEvent =>
    newEvent('RunStarted', at(ms), RUN_LEVEL, { definition: 'wf', version: 1 }, NO_FACTS),
  runEnded: (
    type: 'RunFailed' | 'RunCompensated' | 'RunCancelled',
    error: RunError | null,
    ms = 0,
  ): NewRunEvent => newEvent(type, at(ms), RUN_LEVEL, error ? { error: { ...error } } : {}, NO_FACTS),
  queued: (key: string, attempt = 1, ms = 0, kind: Kind = 'task'): NewRunEvent =>
    newEvent(
      name(kind, 'Queued'),
      at(ms),
      { taskKey: key, attempt },
      { type: 'noop' },
      {
        type: 'noop',
        timerAt: at(ms + 300_000),
        send: { input: {}, idempotencyKey: `run-1:${key}`, timeoutMs: 300_000, priority: 5 },
      },
    ),
  started: (key: string, attempt = 1, ms = 0, kind: Kind = 'task'): NewRunEvent =>
    newEvent(
      name(kind, 'Started'),
      at(ms),
      { taskKey: key, attempt },
      {},
      { startedAt: at(ms), timerAt: at(ms + 330_000) },
    ),
  completed: (key: string, attempt = 1, ms = 0, output: Json = {}, kind: Kind = 'task'): NewRunEvent =>
    newEvent(
      name(kind, 'Completed'),
      at(ms),
      { taskKey: key, attempt },
      {},
      { output, finishedAt: at(ms), runError: null },
    ),
  failed: (
    key: string,
    error: TaskError,
    final: boolean,
    attempt = 1,
    ms = 0,
    kind: Kind = 'task',
  ): NewRunEvent =>
    newEvent(
      name(kind, 'Failed'),
      at(ms),
      { taskKey: key, attempt },
      { final, error: { ...error } },
      {
        final,
        error,
        finishedAt: at(ms),
        unsent: false,
        runError: final && kind === 'task' ? { taskKey: key, message: error.message } : null,
      },
    ),
  retryScheduled: (key: string, delayMs: number, attempt = 1, ms = 0, kind: Kind = 'task'): NewRunEvent =>
    newEvent(
      'TaskRetryScheduled',
      at(ms),
      { taskKey: key, attempt },
      { kind, delayMs, nextAttempt: attempt + 1 },
      { kind, timerAt: at(ms + delayMs) },
    ),
};

/** `Type:taskKey` (or `Type` for run events), optionally with the data the event must show. */
export type Expected = string | [string, Record<string, unknown>];

export interface Outcome<R> {
  result: R;
  events: DomainRunEvent[];
  dispatches: Dispatch[];
  state: RunSnapshot;
  /** The new events, in order, by type and task, and the data of those that name some. */
  then(expected: Expected[]): Outcome<R>;
}

export function given(definition: WorkflowDefinition, options: StartOptions = {}) {
  const initial = initialRunState(newRunOf(definition, options), at(0));
  return (...past: NewRunEvent[]) => ({
    when<R>(command: (run: WorkflowRun, ctx: DecisionContext) => R, whenMs = 1): Outcome<R> {
      const recorded = past.map((e, i): DomainRunEvent => ({ seq: i + 1, ...e }));
      const run = WorkflowRun.restore(recorded.reduce(evolve, initial), definition);
      const result = command(run, ctxAt(whenMs, options.random));
      const changes = run.pullChanges();
      const state = run.snapshot();
      expect([...recorded, ...changes.events].reduce(evolve, initial)).toStrictEqual(state);
      const outcome: Outcome<R> = {
        result,
        events: changes.events,
        dispatches: changes.dispatches,
        state,
        then(expected) {
          const label = (e: DomainRunEvent) => (e.taskKey ? `${e.type}:${e.taskKey}` : e.type);
          expect(changes.events.map(label)).toEqual(expected.map((x) => (typeof x === 'string' ? x : x[0])));
          expected.forEach((x, i) => {
            if (typeof x !== 'string') expect(changes.events[i]!.data).toMatchObject(x[1]);
          });
          return outcome;
        },
      };
      return outcome;
    },
  });
}
