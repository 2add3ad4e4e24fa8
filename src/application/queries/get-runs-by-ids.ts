import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '../actor.js';
import { Inject } from '@nestjs/common';
import { RUN_READ_MODEL, type RunReadModel } from '../ports/run-read-model.js';
import { runView, type RunView } from './run-view.js';

/** Many runs at once, for loaders that batch per request (GraphQL `Run.tasks` of a page). */
export class GetRunsByIdsQuery extends Query<RunsByIds> {
  constructor(
    readonly actor: Actor,
    readonly runIds: readonly string[],
  ) {
    super();
  }
}

/** The runs in the order of `runIds`; null where no such run exists. */
export type RunsByIds = (RunView | null)[];

@QueryHandler(GetRunsByIdsQuery)
export class GetRunsByIdsHandler implements IQueryHandler<GetRunsByIdsQuery, RunsByIds> {
  constructor(@Inject(RUN_READ_MODEL) private readonly reads: RunReadModel) {}

  async execute({ actor, runIds }: GetRunsByIdsQuery): Promise<RunsByIds> {
    const found = await this.reads.getRunsByIds(actor.namespace, runIds);
    const byId = new Map(found.map(({ run, definition }) => [run.id, runView(run, definition)]));
    return runIds.map((id) => byId.get(id.toLowerCase()) ?? null);
  }
}
