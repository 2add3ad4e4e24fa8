import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ApplyTaskResultsHandler, FireTimersHandler } from '../application/commands/apply-task-results.js';
import { CancelRunHandler } from '../application/commands/cancel-run.js';
import { RegisterDefinitionHandler } from '../application/commands/register-definition.js';
import { RetryRunHandler } from '../application/commands/retry-run.js';
import { StartRunHandler } from '../application/commands/start-run.js';
import { CreateApiKeyHandler } from '../application/commands/create-api-key.js';
import { RevokeApiKeyHandler } from '../application/commands/revoke-api-key.js';
import { ListApiKeysHandler } from '../application/queries/api-key-queries.js';
import {
  DeleteDeadLetterHandler,
  ReplayDeadLetterHandler,
} from '../application/commands/dead-letter-commands.js';
import { GetDeadLetterHandler, ListDeadLettersHandler } from '../application/queries/dead-letter-queries.js';
import { DEAD_LETTER_REPUBLISHER, DEAD_LETTER_STORE } from '../application/ports/dead-letter-store.js';
import { FAULTS } from '../application/ports/faults.js';
import { API_KEY_STORE } from '../application/ports/api-key-store.js';
import { CLOCK, systemClock } from '../application/ports/clock.js';
import { RESOURCE_LIMITS } from '../application/resource-limits.js';
import { ADMISSION } from '../application/ports/admission.js';
import { DefinitionCatalog } from '../application/engine/definition-catalog.js';
import { RunOrchestrator } from '../application/engine/run-orchestrator.js';
import { DEFINITION_REPOSITORY } from '../application/ports/definition-repository.js';
import { RUN_READ_MODEL } from '../application/ports/run-read-model.js';
import { RUN_EVENT_FEED } from '../application/ports/run-event-feed.js';
import { RUN_VIEW_CACHE } from '../application/ports/run-view-cache.js';
import { WORKER_DIRECTORY } from '../application/ports/worker-directory.js';
import { GetDefinitionHandler, ListDefinitionsHandler } from '../application/queries/definition-queries.js';
import {
  GetRunEventsHandler,
  GetRunHandler,
  GetRunJsonHandler,
  ListRunsHandler,
} from '../application/queries/run-queries.js';
import { ValidateDefinitionHandler } from '../application/queries/validate-definition.js';
import { SagaflowRuntime } from './composition/sagaflow-runtime.js';
import { APP_OPTIONS, type CreateAppOptions } from './app-options.js';
import { RolesService } from './roles.service.js';
import { METRICS_SOURCE, READINESS_PROBES } from '../interfaces/http/http-app.js';
import { readinessProbes } from './readiness-probes.js';
import { UpgradeRoutes } from '../interfaces/realtime/upgrade-routes.js';

const HANDLERS = [
  CreateApiKeyHandler,
  RevokeApiKeyHandler,
  ListApiKeysHandler,
  ListDeadLettersHandler,
  GetDeadLetterHandler,
  ReplayDeadLetterHandler,
  DeleteDeadLetterHandler,
  RegisterDefinitionHandler,
  StartRunHandler,
  CancelRunHandler,
  RetryRunHandler,
  ApplyTaskResultsHandler,
  FireTimersHandler,
  ValidateDefinitionHandler,
  GetRunHandler,
  GetRunJsonHandler,
  ListRunsHandler,
  GetRunEventsHandler,
  GetDefinitionHandler,
  ListDefinitionsHandler,
];

/** Composition root: wires the runtime's adapters to the application's ports. */
@Module({})
export class AppModule {
  static forRuntime(
    runtime: SagaflowRuntime,
    options: CreateAppOptions,
    interfaces: DynamicModule['imports'] = [],
    edge: Provider[] = [],
  ): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [CqrsModule.forRoot({ rethrowUnhandled: true }), ...(interfaces ?? [])],
      providers: [
        { provide: SagaflowRuntime, useValue: runtime },
        { provide: RunOrchestrator, useValue: runtime.orchestrator },
        { provide: DefinitionCatalog, useValue: runtime.catalog },
        { provide: DEFINITION_REPOSITORY, useValue: runtime.definitions },
        { provide: RUN_READ_MODEL, useValue: runtime.readSide.reads },
        { provide: RUN_VIEW_CACHE, useValue: runtime.readSide.cache },
        { provide: RUN_EVENT_FEED, useValue: runtime.readSide.feed },
        { provide: WORKER_DIRECTORY, useValue: runtime.workers },
        { provide: API_KEY_STORE, useValue: runtime.apiKeys },
        { provide: DEAD_LETTER_STORE, useValue: runtime.deadLetters },
        { provide: DEAD_LETTER_REPUBLISHER, useValue: runtime.deadLetterRepublisher },
        { provide: CLOCK, useValue: systemClock },
        { provide: FAULTS, useValue: runtime.faults },
        { provide: RESOURCE_LIMITS, useValue: runtime.config.limits },
        { provide: ADMISSION, useValue: runtime.admission },
        { provide: APP_OPTIONS, useValue: options },
        RolesService,
        UpgradeRoutes,
        { provide: READINESS_PROBES, inject: [SagaflowRuntime, RolesService], useFactory: readinessProbes },
        { provide: METRICS_SOURCE, useValue: runtime.metrics.registry },
        ...HANDLERS,
        ...edge,
      ],
      exports: [
        SagaflowRuntime,
        UpgradeRoutes,
        RolesService,
        READINESS_PROBES,
        METRICS_SOURCE,
        RunOrchestrator,
        DEFINITION_REPOSITORY,
        RUN_READ_MODEL,
        RUN_VIEW_CACHE,
        RUN_EVENT_FEED,
        WORKER_DIRECTORY,
        FAULTS,
        ...edge.map((provider) => ('provide' in provider ? provider.provide : provider)),
      ],
    };
  }
}
