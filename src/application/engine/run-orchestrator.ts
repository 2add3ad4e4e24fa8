import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { DecisionContext } from '../../domain/run/run-events.js';
import type { RunSnapshot } from '../../domain/run/run-snapshot.js';
import type { WorkflowRun } from '../../domain/run/workflow-run.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { CommittedOutboxPublisher, MessageRouting } from '../ports/message-routing.js';
import type { ResultMessage } from '../ports/messages.js';
import { untraced, type RunTracing } from '../ports/run-tracing.js';
import type { RunStore } from '../ports/run-store.js';
import { DecisionLoop, type CommittedListener } from './decision-loop.js';
import type { DefinitionCatalog } from './definition-catalog.js';
import { OperatorCommands } from './operator-commands.js';
import { ResultApplication } from './result-application.js';
import { RunStarts, type StartRunSpec } from './run-starts.js';
import { TimerFiring } from './timer-firing.js';
import { TimerScheduler } from './timer-scheduler.js';

export type { Committed, CommittedListener } from './decision-loop.js';
export type { StartRunSpec } from './run-starts.js';

/**
 * The orchestrating saga (process manager), as one object for the command handlers and roles.
 * Each concern is its own use case on the shared DecisionLoop: starting runs (RunStarts),
 * applying results (ResultApplication), firing timers (TimerFiring), operator commands
 * (OperatorCommands). See docs/architecture.md#one-tasks-journey-the-hot-path.
 */
export class RunOrchestrator {
  readonly timers: TimerScheduler;
  private readonly loop: DecisionLoop;
  private readonly starts: RunStarts;
  private readonly results: ResultApplication;
  private readonly timerFiring: TimerFiring;
  private readonly commands: OperatorCommands;

  constructor(
    store: RunStore,
    definitions: DefinitionCatalog,
    routing: MessageRouting,
    publisher: CommittedOutboxPublisher,
    onError: (error: unknown) => void,
    tracing: RunTracing = untraced,
    clock: Clock = systemClock,
  ) {
    this.timers = new TimerScheduler((runId) => this.fireRunTimers(runId), onError, clock);
    this.loop = new DecisionLoop(store, definitions, routing, publisher, this.timers, clock);
    this.starts = new RunStarts(this.loop, store, tracing);
    this.results = new ResultApplication(this.loop, tracing);
    this.timerFiring = new TimerFiring(this.loop, store, tracing);
    this.commands = new OperatorCommands(this.loop, tracing);
  }

  /** Drops every cached run: ownership of shards changed, so others may have moved them on. */
  forgetCachedRuns(): void {
    this.loop.runs.clear();
  }

  /**
   * `listener` runs after every commit. Operator commands and run starts wait for what it
   * returns before they answer (so the read side knows of the change: read-your-writes); the
   * result hot path does not wait. It must not reject.
   */
  onCommitted(listener: CommittedListener): void {
    this.loop.onCommitted(listener);
  }

  startRun(spec: StartRunSpec): Promise<{ run: RunSnapshot; created: boolean }> {
    return this.starts.startRun(spec);
  }

  applyResults(
    messages: readonly ResultMessage[],
    traceparents?: readonly (string | undefined)[],
  ): Promise<void> {
    return this.results.apply(messages, traceparents);
  }

  fireDueTimers(limit = 200): Promise<number> {
    return this.timerFiring.fireDue(limit);
  }

  fireRunTimers(runId: string): Promise<void> {
    return this.timerFiring.fireRun(runId);
  }

  command(
    namespace: string,
    runId: string,
    act: (run: WorkflowRun, ctx: DecisionContext) => void,
    name = 'run.command',
  ): Promise<{ run: RunSnapshot; definition: WorkflowDefinition }> {
    return this.commands.run(namespace, runId, act, name);
  }
}
