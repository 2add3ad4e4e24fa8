import { Global, Module } from '@nestjs/common';
import { FAULTS, NO_FAULTS } from '../../../../src/application/ports/faults.js';
import {
  Command,
  CommandHandler,
  CqrsModule,
  Query,
  QueryHandler,
  type ICommandHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';
import { CancelRunCommand } from '../../../../src/application/commands/cancel-run.js';
import { RegisterDefinitionCommand } from '../../../../src/application/commands/register-definition.js';
import { RetryRunCommand } from '../../../../src/application/commands/retry-run.js';
import { StartRunCommand } from '../../../../src/application/commands/start-run.js';
import { ListDefinitionsQuery } from '../../../../src/application/queries/definition-queries.js';
import {
  GetRunEventsQuery,
  GetRunJsonQuery,
  ListRunsQuery,
} from '../../../../src/application/queries/run-queries.js';
import { runView } from '../../../../src/application/queries/run-view.js';
import type { RunSnapshot } from '../../../../src/domain/run/run-snapshot.js';

/**
 * A test double of the application layer: handlers on the real buses that record what the
 * HTTP layer sent and answer with `script`. It keeps these tests about HTTP shape only.
 */
export const script = {
  received: [] as unknown[],
  /** What the next handled message does: return a value or throw. */
  next: (_message: unknown): unknown => undefined,
  reset(): void {
    this.received = [];
    this.next = () => undefined;
  },
};

/** Records `message` and answers as scripted; the script stands in for the handler's typed result. */
function answer<R>(message: Command<R> | Query<R>): R {
  script.received.push(message);
  return script.next(message) as R;
}

/** As `answer`, with `fallback` when the script returns nothing. */
function answerOr<R>(message: Command<R> | Query<R>, fallback: R): R {
  const scripted: R | undefined = answer(message);
  return scripted ?? fallback;
}

export function snapshot(id: string): RunSnapshot {
  return {
    id,
    namespace: 'default',
    definitionRef: { name: 'demo', version: 1, inline: false },
    status: 'RUNNING',
    input: {},
    output: null,
    error: null,
    priority: null,
    idempotencyKey: null,
    requestHash: null,
    cancelRequested: false,
    cancelReason: null,
    lastSeq: 1,
    version: 1,
    createdAt: new Date('2026-11-22T00:00:00.000Z'),
    startedAt: new Date('2026-11-22T00:00:00.000Z'),
    finishedAt: null,
    tasks: [],
  };
}

@CommandHandler(RegisterDefinitionCommand)
class FakeRegister implements ICommandHandler<RegisterDefinitionCommand> {
  async execute(command: RegisterDefinitionCommand) {
    return answer(command);
  }
}

@CommandHandler(StartRunCommand)
class FakeStart implements ICommandHandler<StartRunCommand> {
  async execute(command: StartRunCommand) {
    return answer(command);
  }
}

@CommandHandler(CancelRunCommand)
class FakeCancel implements ICommandHandler<CancelRunCommand> {
  async execute(command: CancelRunCommand) {
    return answer(command);
  }
}

@CommandHandler(RetryRunCommand)
class FakeRetry implements ICommandHandler<RetryRunCommand> {
  async execute(command: RetryRunCommand) {
    return answer(command);
  }
}

/** Reads of a run answer from the command's snapshot, as the real read model would after commit. */
@QueryHandler(GetRunJsonQuery)
class FakeGetRun implements IQueryHandler<GetRunJsonQuery> {
  async execute(query: GetRunJsonQuery) {
    return JSON.stringify(runView(snapshot(query.runId), null));
  }
}

@QueryHandler(ListRunsQuery)
class FakeListRuns implements IQueryHandler<ListRunsQuery> {
  async execute(query: ListRunsQuery) {
    return answerOr(query, { items: [], nextCursor: null });
  }
}

@QueryHandler(GetRunEventsQuery)
class FakeEvents implements IQueryHandler<GetRunEventsQuery> {
  async execute(query: GetRunEventsQuery) {
    return answerOr(query, { items: [], nextCursor: null });
  }
}

@QueryHandler(ListDefinitionsQuery)
class FakeListDefinitions implements IQueryHandler<ListDefinitionsQuery> {
  async execute(query: ListDefinitionsQuery) {
    return answerOr(query, { items: [] });
  }
}

/** Global, as the app module is: the controllers also reach the (unarmed) fault points. */
@Global()
@Module({
  imports: [CqrsModule.forRoot()],
  exports: [FAULTS],
  providers: [
    { provide: FAULTS, useValue: NO_FAULTS },
    FakeRegister,
    FakeStart,
    FakeCancel,
    FakeRetry,
    FakeGetRun,
    FakeListRuns,
    FakeEvents,
    FakeListDefinitions,
  ],
})
export class FakeApplicationModule {}
