import { Args, ID, Int, Mutation, Resolver } from '@nestjs/graphql';
import { CommandBus } from '@nestjs/cqrs';
import { CancelRunCommand } from '../../../application/commands/cancel-run.js';
import { RetryRunCommand } from '../../../application/commands/retry-run.js';
import { StartRunCommand } from '../../../application/commands/start-run.js';
import type { RunView } from '../../../application/queries/run-view.js';
import { parseRunId } from '../../../application/contracts/requests/run-id.js';
import { cancelRunInputOf, startRunInputOf } from './arguments.js';
import { JsonScalar } from '../scalars/json.scalar.js';
import { Run } from '../types/run.types.js';
import type { Actor } from '../../../application/actor.js';
import { CurrentActor } from '../../identity/current-actor.js';

/**
 * Run commands, built as the REST controller builds them: the arguments become the body of
 * `POST /v1/runs` (or of cancel) and are parsed by the same functions (`./arguments.ts`).
 */
@Resolver()
export class RunMutationsResolver {
  constructor(private readonly commands: CommandBus) {}

  @Mutation(() => Run, {
    description:
      'Starts a run of a registered definition (`definition`: its name) or of an `inline` one; exactly one of the two.',
  })
  async startRun(
    @CurrentActor() actor: Actor,
    @Args('definition', { type: () => String, nullable: true }) definition: string | null,
    @Args('inline', { type: () => JsonScalar, nullable: true }) inline: unknown,
    @Args('version', { type: () => Int, nullable: true }) version: number | null,
    @Args('input', { type: () => JsonScalar, nullable: true }) input: unknown,
    @Args('idempotencyKey', { type: () => String, nullable: true }) idempotencyKey: string | null,
    @Args('priority', { type: () => Int, nullable: true }) priority: number | null,
  ): Promise<RunView> {
    const request = startRunInputOf({ definition, inline, version, input, idempotencyKey, priority });
    const { run } = await this.commands.execute(new StartRunCommand(actor, request));
    return run;
  }

  @Mutation(() => Run, { description: 'Cancels a RUNNING run (a CANCELLING one: no-op).' })
  async cancelRun(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('reason', { type: () => String, nullable: true }) reason: string | null,
  ): Promise<RunView> {
    return this.commands.execute(new CancelRunCommand(actor, parseRunId(id), cancelRunInputOf(reason)));
  }

  @Mutation(() => Run, {
    description: 'Retries a FAILED run, or the failed compensations of a COMPENSATION_FAILED one.',
  })
  async retryRun(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<RunView> {
    return this.commands.execute(new RetryRunCommand(actor, parseRunId(id)));
  }
}
