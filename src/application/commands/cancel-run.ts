import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Actor } from '../actor.js';
import { runView, type RunView } from '../queries/run-view.js';
import { RunOrchestrator } from '../engine/run-orchestrator.js';
import type { CancelRunInput } from '../contracts/requests/cancel-run.js';

/** Built from `parseRunId` and `parseCancelRun` (src/application/contracts/requests). */
export class CancelRunCommand extends Command<RunView> {
  constructor(
    readonly actor: Actor,
    readonly runId: string,
    readonly input: CancelRunInput,
  ) {
    super();
  }
}

@CommandHandler(CancelRunCommand)
export class CancelRunHandler implements ICommandHandler<CancelRunCommand, RunView> {
  constructor(private readonly orchestrator: RunOrchestrator) {}

  async execute({ actor, runId, input: { reason } }: CancelRunCommand): Promise<RunView> {
    const { run, definition } = await this.orchestrator.command(
      actor.namespace,
      runId,
      (r, ctx) => r.cancel(reason, ctx),
      'run.cancel',
    );
    return runView(run, definition);
  }
}
