import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { RunSnapshot } from '../../domain/run/run-snapshot.js';
import { RunOrchestrator } from '../engine/run-orchestrator.js';

export class RetryRunCommand {
  constructor(readonly runId: string) {}
}

@CommandHandler(RetryRunCommand)
export class RetryRunHandler implements ICommandHandler<RetryRunCommand, RunSnapshot> {
  constructor(private readonly orchestrator: RunOrchestrator) {}

  async execute({ runId }: RetryRunCommand): Promise<RunSnapshot> {
    return this.orchestrator.command(runId, (run, ctx) => run.retry(ctx));
  }
}
