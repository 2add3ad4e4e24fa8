import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { runView, type RunView } from '../queries/run-view.js';
import { RunOrchestrator } from '../engine/run-orchestrator.js';

export class RetryRunCommand {
  constructor(readonly runId: string) {}
}

@CommandHandler(RetryRunCommand)
export class RetryRunHandler implements ICommandHandler<RetryRunCommand, RunView> {
  constructor(private readonly orchestrator: RunOrchestrator) {}

  async execute({ runId }: RetryRunCommand): Promise<RunView> {
    const { run, definition } = await this.orchestrator.command(runId, (r, ctx) => r.retry(ctx), 'run.retry');
    return runView(run, definition);
  }
}
