/**
 * Builders and a small driver for the run aggregate, so tests read as Given / When / Then.
 * Everything is synchronous and in memory; time is a counter, randomness is injected.
 */
import {
  validateDefinition,
  type DefinitionDraft,
} from '../../../../src/domain/definition/definition-validator.js';
import type { WorkflowDefinition } from '../../../../src/domain/definition/workflow-definition.js';
import type {
  AttemptFailure,
  AttemptOutcome,
  DecisionContext,
  Dispatch,
  RunEvent,
} from '../../../../src/domain/run/run-events.js';
import type { DomainRunEvent } from '../../../../src/domain/run/run-facts.js';
import type { Json, RunSnapshot, TaskRunSnapshot } from '../../../../src/domain/run/run-snapshot.js';
import { WorkflowRun, type NewRun } from '../../../../src/domain/run/workflow-run.js';

export const T0 = Date.UTC(2024, 0, 1);

export function at(ms: number): Date {
  return new Date(T0 + ms);
}

export function ctxAt(ms: number, random: () => number = () => 0.5): DecisionContext {
  return { now: at(ms), random };
}

/** A valid definition from raw JSON, or the test fails with the validation errors. */
export function definitionOf(raw: Record<string, unknown>): WorkflowDefinition {
  const result = validateDefinition({ name: 'wf', ...raw } as DefinitionDraft);
  if (!result.valid) throw new Error(`invalid test definition: ${JSON.stringify(result.errors)}`);
  return result.definition;
}

/** A task entry in raw definition JSON. */
export function task(
  key: string,
  dependsOn: string[] = [],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { key, type: 'noop', dependsOn, ...extra };
}

/** A task with a `noop` compensation. */
export function saga(
  key: string,
  dependsOn: string[] = [],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return task(key, dependsOn, { compensation: { type: 'noop' }, ...extra });
}

export const retryable = (message = 'boom'): AttemptFailure => ({ message, retryable: true });
export const permanent = (message = 'nope'): AttemptFailure => ({
  message,
  retryable: false,
  code: 'non_retryable',
});

export interface StartOptions {
  id?: string;
  input?: Json;
  priority?: number | null;
  random?: () => number;
}

/** What `RunDriver.start` starts a run with (created at `at(0)`). */
export function newRunOf(definition: WorkflowDefinition, options: StartOptions = {}): NewRun {
  return {
    id: options.id ?? 'run-1',
    definition,
    namespace: 'default',
    definitionRef: { name: definition.name, version: 1, inline: false },
    input: options.input ?? {},
    priority: options.priority ?? null,
    idempotencyKey: null,
    requestHash: null,
  };
}

/**
 * Drives one run: every command advances a fake clock by 1 ms, and the changes it produces are
 * collected (all events so far in `events`, the last decision's in `last`).
 */
export class RunDriver {
  readonly events: DomainRunEvent[] = [];
  readonly dispatches: Dispatch[] = [];
  last: { events: DomainRunEvent[]; dispatches: Dispatch[] } = { events: [], dispatches: [] };
  clock = 0;
  private readonly random: () => number;

  private constructor(
    private current: WorkflowRun,
    random: () => number,
  ) {
    this.random = random;
    this.collect();
  }

  get run(): WorkflowRun {
    return this.current;
  }

  /** Continues from a copy of the current snapshot, as a process that loaded the run would. */
  /** Rebuilds the aggregate from a snapshot, by default its own, as the engine does on every load. */
  restore(from: RunSnapshot = this.current.snapshot()): void {
    this.current = WorkflowRun.restore(from, this.current.definition);
  }

  static start(definition: WorkflowDefinition, options: StartOptions = {}): RunDriver {
    const random = options.random ?? (() => 0.5);
    const run = WorkflowRun.create(newRunOf(definition, options), { now: at(0), random });
    return new RunDriver(run, random);
  }

  get status() {
    return this.run.status;
  }

  snapshot(): RunSnapshot {
    return this.run.snapshot();
  }

  task(key: string): TaskRunSnapshot {
    const found = this.run.snapshot().tasks.find((t) => t.key === key);
    if (!found) throw new Error(`no task ${key}`);
    return found;
  }

  statuses(): Record<string, string> {
    return Object.fromEntries(this.run.snapshot().tasks.map((t) => [t.key, t.status]));
  }

  /** Dispatches of the last decision as `key` or `key:compensation`, with attempts. */
  lastDispatched(): string[] {
    return this.last.dispatches.map(
      (d) => `${d.taskKey}${d.kind === 'compensation' ? '~comp' : ''}#${d.attempt}`,
    );
  }

  lastEventTypes(): string[] {
    return this.last.events.map((e) => (e.taskKey ? `${e.type}:${e.taskKey}` : e.type));
  }

  /** Current attempt of a task (or its compensation). */
  attemptOf(key: string, kind: 'task' | 'compensation' = 'task'): number {
    const t = this.task(key);
    return kind === 'task' ? t.attempt : (t.compensation?.attempt ?? 0);
  }

  ctx(): DecisionContext {
    this.clock += 1;
    return { now: at(this.clock), random: this.random };
  }

  started(key: string, kind: 'task' | 'compensation' = 'task', attempt = this.attemptOf(key, kind)): boolean {
    const c = this.ctx();
    return this.apply(() =>
      this.run.applyOutcome({ taskKey: key, kind, attempt, outcome: 'started', startedAt: c.now }, c),
    );
  }

  complete(
    key: string,
    output: Json = {},
    kind: 'task' | 'compensation' = 'task',
    attempt = this.attemptOf(key, kind),
  ): boolean {
    const c = this.ctx();
    return this.apply(() =>
      this.run.applyOutcome(
        { taskKey: key, kind, attempt, outcome: 'completed', output, startedAt: c.now, finishedAt: c.now },
        c,
      ),
    );
  }

  fail(
    key: string,
    error: AttemptFailure = retryable(),
    kind: 'task' | 'compensation' = 'task',
    attempt = this.attemptOf(key, kind),
  ): boolean {
    const c = this.ctx();
    return this.apply(() =>
      this.run.applyOutcome(
        { taskKey: key, kind, attempt, outcome: 'failed', error, startedAt: c.now, finishedAt: c.now },
        c,
      ),
    );
  }

  /** Delivers a worker's report as given (for duplicates and stale results). */
  deliver(outcome: AttemptOutcome): boolean {
    const c = this.ctx();
    return this.apply(() => this.run.applyOutcome(outcome, c));
  }

  compensated(key: string): boolean {
    return this.complete(key, {}, 'compensation');
  }

  /** Moves the clock to the next due timer and fires it. */
  fireNextTimer(): boolean {
    const next = this.run.nextTimerAt();
    if (!next) return false;
    this.clock = Math.max(this.clock + 1, next.getTime() - T0);
    const now = at(this.clock);
    return this.apply(() => this.run.fireDueTimers({ now, random: this.random }));
  }

  cancel(reason: string | null = 'stop'): boolean {
    const c = this.ctx();
    return this.apply(() => this.run.cancel(reason, c));
  }

  retry(): void {
    const c = this.ctx();
    this.apply(() => {
      this.run.retry(c);
      return true;
    });
  }

  private apply(command: () => boolean): boolean {
    try {
      return command();
    } finally {
      this.collect();
    }
  }

  private collect(): void {
    const changes = this.run.pullChanges();
    this.last = { events: changes.events, dispatches: changes.dispatches };
    this.events.push(...changes.events);
    this.dispatches.push(...changes.dispatches);
  }
}

/** True when `seq` runs 1, 2, 3, … without a gap. */
export function isGapless(events: readonly RunEvent[]): boolean {
  return events.every((e, i) => e.seq === i + 1);
}
