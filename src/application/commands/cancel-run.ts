import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Actor } from '../actor.js';
import { runView, type RunView } from '../queries/run-view.js';
import { DomainValidationError } from '../../domain/shared/domain-error.js';
import { isPlainObject } from '../../domain/definition/retry-policy.js';
import { RunOrchestrator } from '../engine/run-orchestrator.js';

export class CancelRunCommand extends Command<RunView> {
  constructor(
    readonly actor: Actor,
    readonly runId: string,
    readonly body: unknown,
  ) {
    super();
  }
}

@CommandHandler(CancelRunCommand)
export class CancelRunHandler implements ICommandHandler<CancelRunCommand, RunView> {
  constructor(private readonly orchestrator: RunOrchestrator) {}

  async execute({ runId, body }: CancelRunCommand): Promise<RunView> {
    let reason: string | null = null;
    if (body !== undefined && body !== null) {
      if (!isPlainObject(body))
        throw new DomainValidationError([{ path: '$', message: 'must be a JSON object' }]);
      if (body.reason !== undefined) {
        if (typeof body.reason !== 'string' || body.reason.length > 1000) {
          throw new DomainValidationError([
            { path: 'reason', message: 'must be a string of at most 1000 characters' },
          ]);
        }
        reason = body.reason;
      }
    }
    const { run, definition } = await this.orchestrator.command(
      runId,
      (r, ctx) => r.cancel(reason, ctx),
      'run.cancel',
    );
    return runView(run, definition);
  }
}
