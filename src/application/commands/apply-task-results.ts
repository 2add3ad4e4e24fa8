import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Actor } from '../actor.js';
import { RunOrchestrator } from '../engine/run-orchestrator.js';
import type { ResultMessage } from '../ports/messages.js';

/**
 * A batch of worker results from one shard, applied in order in one transaction;
 * `traceparents[i]` is the trace context the i-th result's message carried (tracing on only).
 */
export class ApplyTaskResultsCommand extends Command<void> {
  constructor(
    readonly actor: Actor,
    readonly results: readonly ResultMessage[],
    readonly traceparents?: readonly (string | undefined)[],
  ) {
    super();
  }
}

@CommandHandler(ApplyTaskResultsCommand)
export class ApplyTaskResultsHandler implements ICommandHandler<ApplyTaskResultsCommand, void> {
  constructor(private readonly orchestrator: RunOrchestrator) {}

  async execute({ results, traceparents }: ApplyTaskResultsCommand): Promise<void> {
    await this.orchestrator.applyResults(results, traceparents);
  }
}

/** Fires due durable timers (retry backoff, `delay`, safety timeouts); returns runs touched. */
export class FireTimersCommand extends Command<number> {
  constructor(
    readonly actor: Actor,
    readonly limit = 200,
  ) {
    super();
  }
}

@CommandHandler(FireTimersCommand)
export class FireTimersHandler implements ICommandHandler<FireTimersCommand, number> {
  constructor(private readonly orchestrator: RunOrchestrator) {}

  async execute({ limit }: FireTimersCommand): Promise<number> {
    return this.orchestrator.fireDueTimers(limit);
  }
}
