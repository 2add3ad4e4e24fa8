import { createHash } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Actor } from '../actor.js';
import { validateDefinition } from '../../domain/definition/definition-validator.js';
import { canonicalJson, type WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { DefinitionRef, Json } from '../../domain/run/run-snapshot.js';
import { runView, type RunView } from '../queries/run-view.js';
import { DomainValidationError, type ValidationIssue } from '../../domain/shared/domain-error.js';
import { isPlainObject } from '../../domain/definition/retry-policy.js';
import { RunOrchestrator } from '../engine/run-orchestrator.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { DefinitionCatalog } from '../engine/definition-catalog.js';
import { StaleDefinitionError } from '../ports/run-store.js';

export interface StartRunResult {
  run: RunView;
  /** False when an idempotency key matched an existing run. */
  created: boolean;
}

export class StartRunCommand extends Command<StartRunResult> {
  /** `headerIdempotencyKey` is the `Idempotency-Key` header, used when the body has none. */
  constructor(
    readonly actor: Actor,
    readonly body: unknown,
    readonly headerIdempotencyKey?: string,
  ) {
    super();
  }
}

const START_FIELDS = new Set(['definition', 'version', 'input', 'idempotencyKey', 'priority']);

@CommandHandler(StartRunCommand)
export class StartRunHandler implements ICommandHandler<StartRunCommand, StartRunResult> {
  constructor(
    private readonly orchestrator: RunOrchestrator,
    private readonly definitions: DefinitionCatalog,
  ) {}

  async execute({ body, headerIdempotencyKey }: StartRunCommand) {
    const request = parseStartRequest(body, headerIdempotencyKey);
    try {
      return await this.start(request, await this.resolveDefinition(request, false));
    } catch (error) {
      // A newer version was registered since this process last looked: resolve it afresh.
      if (!(error instanceof StaleDefinitionError)) throw error;
      return this.start(request, await this.resolveDefinition(request, true));
    }
  }

  private async start(request: StartRequest, resolved: ResolvedDefinition) {
    const { definition, ref, checkLatest } = resolved;
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

  private async resolveDefinition(request: StartRequest, fresh: boolean): Promise<ResolvedDefinition> {
    if (typeof request.definition !== 'string') {
      const validation = validateDefinition(request.definition, 'definition');
      if (!validation.valid) throw new DomainValidationError(validation.errors);
      return {
        definition: validation.definition,
        ref: { name: validation.definition.name, version: null, inline: true },
        checkLatest: false,
      };
    }
    const name = request.definition;
    const found =
      request.version !== null
        ? { definition: await this.definitions.version(name, request.version), cached: false }
        : await this.definitions.latest(name, fresh);
    if (!found?.definition) {
      const which = request.version ? ` version ${request.version}` : '';
      throw new NotFoundError(`definition "${name}"${which} not found`);
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

interface StartRequest {
  definition: string | Record<string, unknown>;
  version: number | null;
  input: Json;
  idempotencyKey: string | null;
  priority: number | null;
}

/** Shape of `POST /v1/runs` (docs/contract.md#rest-api); every problem named by its JSON path. */
function parseStartRequest(body: unknown, headerKey: string | undefined): StartRequest {
  const issues: ValidationIssue[] = [];
  if (!isPlainObject(body))
    throw new DomainValidationError([{ path: '$', message: 'must be a JSON object' }]);
  for (const key of Object.keys(body))
    if (!START_FIELDS.has(key)) issues.push({ path: key, message: 'is not a known field' });
  const { definition, version, input, idempotencyKey, priority } = body;
  if (typeof definition === 'string') {
    if (definition.length === 0) issues.push({ path: 'definition', message: 'must name a definition' });
  } else if (isPlainObject(definition)) {
    if (typeof definition.name !== 'string')
      issues.push({ path: 'definition.name', message: 'an inline definition must have a name' });
    if (version !== undefined)
      issues.push({ path: 'version', message: 'cannot be given with an inline definition' });
    if (definition.version !== undefined)
      issues.push({ path: 'definition.version', message: 'an inline definition has no version' });
  } else {
    issues.push({ path: 'definition', message: 'must be a definition name or an inline definition object' });
  }
  if (version !== undefined && (!Number.isInteger(version) || (version as number) < 1)) {
    issues.push({ path: 'version', message: 'must be a positive integer' });
  }
  if (
    priority !== undefined &&
    (!Number.isInteger(priority) || (priority as number) < 0 || (priority as number) > 9)
  ) {
    issues.push({ path: 'priority', message: 'must be an integer from 0 to 9' });
  }
  const key = idempotencyKey ?? headerKey;
  if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 255)) {
    issues.push({ path: 'idempotencyKey', message: 'must be a string of 1 to 255 characters' });
  }
  if (issues.length > 0) throw new DomainValidationError(issues);
  return {
    definition: definition as string | Record<string, unknown>,
    version: (version as number | undefined) ?? null,
    input: (input ?? {}) as Json,
    idempotencyKey: (key as string | undefined) ?? null,
    priority: (priority as number | undefined) ?? null,
  };
}
