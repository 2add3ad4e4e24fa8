import type { WorkflowDefinition } from '../definition/workflow-definition.js';
import { cloneRunState } from './clone-run.js';
import { cancelEvents, retryEvents } from './decide-commands.js';
import { nextEvents } from './decide-progress.js';
import { outcomeEvents } from './decide-settlement.js';
import { timerEvents } from './decide-timers.js';
import { dispatchOf } from './event-dispatch.js';
import { evolveDraft } from './evolve.js';
import { initialRunState, type NewRun } from './new-run.js';
import type { AttemptOutcome, DecisionContext, Dispatch } from './run-events.js';
import {
  newEvent,
  NO_FACTS,
  RUN_LEVEL,
  type DomainRunEvent,
  type NewRunEvent,
  type RecordedChanges,
} from './run-facts.js';
import { planRun, type RunPlan } from './run-plan.js';
import type { RunSnapshot } from './run-snapshot.js';
import type { RunStatus } from './run-status.js';

// Kept importable from here, beside the aggregate it starts.
export type { NewRun } from './new-run.js';

/**
 * The run aggregate: decides everything docs/contract.md#runs asks — what to queue next, when to
 * retry, when to skip, the compensation order and the final status — in the manner of Emmett's
 * decide/evolve (docs/architecture.md, "The run aggregate decides, the saga persists"). Each
 * command asks pure deciders (`decide-*.ts`) for events, applies each through `evolveDraft`
 * (the only code that changes the state), then asks `nextEvents` what follows until nothing
 * does. Dispatches are read off the queued events; `pullChanges()` hands everything to the
 * application layer once. It never does I/O.
 */
export class WorkflowRun {
  private events: DomainRunEvent[] = [];
  private dispatches: Dispatch[] = [];
  private changed = new Set<number>();

  private constructor(
    private readonly state: RunSnapshot,
    readonly definition: WorkflowDefinition,
    private readonly plan: RunPlan,
  ) {}

  static create(spec: NewRun, ctx: DecisionContext): WorkflowRun {
    const run = new WorkflowRun(initialRunState(spec, ctx.now), spec.definition, planRun(spec.definition));
    const { name, version } = run.state.definitionRef;
    run.decide([newEvent('RunStarted', ctx.now, RUN_LEVEL, { definition: name, version }, NO_FACTS)], ctx);
    return run;
  }

  static restore(snapshot: RunSnapshot, definition: WorkflowDefinition): WorkflowRun {
    return new WorkflowRun(cloneRunState(snapshot), definition, planRun(definition));
  }

  get id(): string {
    return this.state.id;
  }
  get namespace(): string {
    return this.state.namespace;
  }
  get status(): RunStatus {
    return this.state.status;
  }
  get version(): number {
    return this.state.version;
  }

  snapshot(): RunSnapshot {
    return cloneRunState(this.state);
  }

  /** The changes since the last pull; each change is handed out once. */
  pullChanges(): RecordedChanges {
    const changes: RecordedChanges = {
      events: this.events,
      dispatches: this.dispatches,
      changedTasks: [...this.changed].sort((a, b) => a - b).map((i) => this.state.tasks[i]!.key),
    };
    this.events = [];
    this.dispatches = [];
    this.changed = new Set();
    return changes;
  }

  /**
   * Dispatches recorded since the last pull. Read before and after applying an input, it tells
   * which dispatches that input caused (the application attributes them to its trace span).
   */
  get pendingDispatchCount(): number {
    return this.dispatches.length;
  }

  /** Marks the current state as saved under `version` (persistence bookkeeping, not an event). */
  markSaved(version: number): void {
    this.state.version = version;
  }

  /** Earliest durable timer of any task or compensation, so a process can wake for it. */
  nextTimerAt(): Date | null {
    return WorkflowRun.earliestTimer(this.state);
  }

  /** Earliest timer of a saved snapshot, without rebuilding the aggregate. */
  static earliestTimer(snapshot: RunSnapshot): Date | null {
    let next: Date | null = null;
    for (const t of snapshot.tasks) {
      for (const at of [t.timerAt, t.compensation?.timerAt ?? null]) {
        if (at && (!next || at < next)) next = at;
      }
    }
    return next;
  }

  // ---- commands ----------------------------------------------------------------------------

  /** Applies a worker's report. Returns false, recording nothing, when it is not for the attempt in flight. */
  applyOutcome(outcome: AttemptOutcome, ctx: DecisionContext): boolean {
    const events = outcomeEvents(this.state, this.plan, outcome, ctx);
    if (events === null) return false;
    this.decide(events, ctx);
    return true;
  }

  /** Fires every timer that is due: retry backoffs, `delay` completions and timeouts. */
  fireDueTimers(ctx: DecisionContext): boolean {
    let fired = false;
    // One task at a time, each followed by its consequences, so a failure for good stops
    // retries due in the same batch (rule 2).
    for (let i = 0; i < this.state.tasks.length; i++) {
      const events = timerEvents(this.state, this.plan, i, ctx);
      if (events.length === 0) continue;
      fired = true;
      this.decide(events, ctx);
    }
    return fired;
  }

  /** Returns false, recording nothing, when the run is already cancelling. */
  cancel(reason: string | null, ctx: DecisionContext): boolean {
    const events = cancelEvents(this.state, reason, ctx);
    if (events.length === 0) return false;
    this.decide(events, ctx);
    return true;
  }

  retry(ctx: DecisionContext): void {
    this.decide(retryEvents(this.state, this.plan, ctx), ctx);
  }

  // ---- applying events ---------------------------------------------------------------------

  /** Applies a command's events, then whatever the run does next on its own, until nothing. */
  private decide(events: readonly NewRunEvent[], ctx: DecisionContext): void {
    for (let next = events; next.length > 0; next = nextEvents(this.state, this.plan, ctx)) {
      for (const event of next) this.apply(event);
    }
  }

  private apply(decided: NewRunEvent): void {
    const event: DomainRunEvent = { seq: this.state.lastSeq + 1, ...decided };
    for (const i of evolveDraft(this.state, event)) this.changed.add(i);
    this.events.push(event);
    const dispatch = dispatchOf(event);
    if (dispatch) this.dispatches.push(dispatch);
  }
}
