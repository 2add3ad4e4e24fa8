import { createHash } from 'node:crypto';
import { shortEcho } from '../../domain/shared/echo.js';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Actor } from '../actor.js';
import { canonicalJson, type WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { DefinitionRef } from '../../domain/run/run-snapshot.js';
import { runView, type RunView } from '../queries/run-view.js';
import { RunOrchestrator } from '../engine/run-orchestrator.js';
import { ConflictError, NotFoundError, OverloadedError } from '../errors.js';
import { ADMISSION, ALWAYS_ADMIT, type Admission } from '../ports/admission.js';
import { DefinitionCatalog } from '../engine/definition-catalog.js';
import { StaleDefinitionError } from '../ports/run-store.js';
import type { StartRunInput } from '../contracts/requests/start-run.js';
import { Inject } from '@nestjs/common';
import {
  DEFAULT_RESOURCE_LIMITS,
  RESOURCE_LIMITS,
  refuseLargeInput,
  refuseTooManyTasks,
  type ResourceLimits,
} from '../resource-limits.js';

export interface StartRunResult {
  run: RunView;
  /** False when an idempotency key matched an existing run. */
  created: boolean;
}

/** Built from `parseStartRun` (src/application/contracts/requests/start-run.ts) by every transport. */
export class StartRunCommand extends Command<StartRunResult> {
  constructor(
    readonly actor: Actor,
    readonly input: StartRunInput,
  ) {
    super();
  }
}

@CommandHandler(StartRunCommand)
export class StartRunHandler implements ICommandHandler<StartRunCommand, StartRunResult> {
  constructor(
    private readonly orchestrator: RunOrchestrator,
    private readonly definitions: DefinitionCatalog,
    @Inject(RESOURCE_LIMITS) private readonly limits: ResourceLimits = DEFAULT_RESOURCE_LIMITS,
    @Inject(ADMISSION) private readonly admission: Admission = ALWAYS_ADMIT,
  ) {}

  async execute({ actor: { namespace }, input }: StartRunCommand) {
    refuseLargeInput(input.input, this.limits);
    if (input.definition.kind === 'inline') {
      refuseTooManyTasks(input.definition.definition, this.limits, 'definition.tasks');
    }
    try {
      return await this.start(namespace, input, await this.resolveDefinition(namespace, input, false));
    } catch (error) {
      // A newer version was registered since this process last looked: resolve it afresh.
      if (!(error instanceof StaleDefinitionError)) throw error;
      return this.start(namespace, input, await this.resolveDefinition(namespace, input, true));
    }
  }

  private async start(namespace: string, request: StartRunInput, resolved: ResolvedDefinition) {
    const { definition, ref, checkLatest } = resolved;
    const overload = this.admission.refusal(taskTypesOf(definition));
    if (overload)
      throw new OverloadedError(`overloaded: ${overload.reason}; retry later`, overload.retryAfterSeconds);
    // Only a run with an idempotency key is ever compared with a later request.
    const requestHash =
      request.idempotencyKey === null
        ? null
        : createHash('sha256')
            .update(
              canonicalJson({
                definition: ref.inline ? definition : ref,
                input: request.input,
                priority: request.priority,
              }),
            )
            .digest('hex');
    const result = await this.orchestrator.startRun({
      namespace,
      definition,
      checkLatest,
      definitionRef: ref,
      input: request.input,
      priority: request.priority,
      idempotencyKey: request.idempotencyKey,
      requestHash,
    });
    if (!result.created && result.run.requestHash !== requestHash) {
      throw new ConflictError(`idempotency key "${request.idempotencyKey}" was used for a different request`);
    }
    return { run: runView(result.run, definition), created: result.created };
  }

  private async resolveDefinition(
    namespace: string,
    request: StartRunInput,
    fresh: boolean,
  ): Promise<ResolvedDefinition> {
    const choice = request.definition;
    if (choice.kind === 'inline') {
      const { definition } = choice;
      return { definition, ref: { name: definition.name, version: null, inline: true }, checkLatest: false };
    }
    const { name, version } = choice;
    const found =
      version !== null
        ? { definition: await this.definitions.version(namespace, name, version), cached: false }
        : await this.definitions.latest(namespace, name, fresh);
    if (!found?.definition) {
      const which = version ? ` version ${version}` : '';
      throw new NotFoundError(`definition "${shortEcho(name)}"${which} not found`);
    }
    const { definition } = found;
    return {
      definition,
      ref: { name: definition.name, version: definition.version, inline: false },
      checkLatest: found.cached,
    };
  }
}

interface ResolvedDefinition {
  definition: WorkflowDefinition;
  ref: DefinitionRef;
  checkLatest: boolean;
}

/** Every task type a run of `definition` may dispatch, compensations included. */
function taskTypesOf(definition: WorkflowDefinition): string[] {
  const types = new Set<string>();
  for (const task of definition.tasks) {
    types.add(task.type);
    if (task.compensation) types.add(task.compensation.type);
  }
  return [...types];
}
