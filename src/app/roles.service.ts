import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { SagaflowRuntime } from './composition/sagaflow-runtime.js';
import type { OutboxRelay } from '../infrastructure/outbox/outbox-relay.js';
import { OrchestratorRole } from '../interfaces/roles/orchestrator-role.js';
import { WorkerRole } from '../interfaces/roles/worker-role.js';
import type { DeadLetterKeeper } from '../infrastructure/messaging/dead-letter-keeper.js';
import {
  createDeadLetterKeeper,
  createRelay,
  orchestratorRolePorts,
  workerRolePorts,
} from './composition/role-ports.js';
import { APP_OPTIONS, type CreateAppOptions } from './app-options.js';

/**
 * Starts the roles this process runs (SAGAFLOW_ROLES) and stops them in reverse order. `start()`
 * is called by create-app.ts once the runtime is connected, not at Nest bootstrap: the api
 * listens before its dependencies are up (docs/architecture.md, "Startup order").
 */
@Injectable()
export class RolesService implements BeforeApplicationShutdown {
  orchestrator: OrchestratorRole | null = null;
  relay: OutboxRelay | null = null;
  /** Runs beside the relay: moves dead letters into PostgreSQL. */
  keeper: DeadLetterKeeper | null = null;
  worker: WorkerRole | null = null;
  private ready = false;

  constructor(
    private readonly runtime: SagaflowRuntime,
    private readonly commands: CommandBus,
    @Inject(APP_OPTIONS) private readonly options: CreateAppOptions,
  ) {}

  async start(): Promise<void> {
    const roles = this.runtime.config.roles;
    if (roles.has('relay')) {
      this.relay = createRelay(this.runtime);
      await this.relay.start();
      this.keeper = createDeadLetterKeeper(this.runtime);
      await this.keeper.start();
    }
    if (roles.has('orchestrator')) {
      this.orchestrator = new OrchestratorRole(orchestratorRolePorts(this.runtime, this.commands));
      await this.orchestrator.start();
    }
    if (roles.has('worker')) {
      this.worker = new WorkerRole(workerRolePorts(this.runtime));
      this.options.registerHandlers?.(this.worker.registry);
      await this.worker.start();
    }
    this.ready = true;
  }

  isReady(): boolean {
    return this.ready && this.runtime.amqp.isReady();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.ready = false;
    await this.worker?.stop();
    await this.orchestrator?.stop();
    await this.keeper?.stop();
    await this.relay?.stop();
    await this.runtime.close();
  }
}
