import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Actor } from '../actor.js';
import { runView, type RunView } from '../queries/run-view.js';
import { RunOrchestrator } from '../engine/run-orchestrator.js';

export class RetryRunCommand extends Command<RunView> {
  constructor(
    readonly actor: Actor,
    readonly runId: string,
  ) {
    super();
  }
}

@CommandHandler(RetryRunCommand)
export class RetryRunHandler implements ICommandHandler<RetryRunCommand, RunView> {
  constructor(private readonly orchestrator: RunOrchestrator) {}

  async execute({ actor, runId }: RetryRunCommand): Promise<RunView> {
    const { run, definition } = await this.orchestrator.command(
      actor.namespace,
      runId,
      (r, ctx) => r.retry(ctx),
      'run.retry',
    );
    return runView(run, definition);
  }
}
