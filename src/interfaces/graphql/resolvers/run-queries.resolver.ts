import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { QueryBus } from '@nestjs/cqrs';
import { NotFoundError } from '../../../application/errors.js';
import { GetRunEventsQuery, GetRunQuery, ListRunsQuery } from '../../../application/queries/run-queries.js';
import type { RunView } from '../../../application/queries/run-view.js';
import type { RunStatus } from '../../../domain/run/run-status.js';
import type { RunEventPage, RunList } from '../../http/controllers/query-results.js';
import { parseRunId } from '../../../application/contracts/requests/run-id.js';
import { connectionOf, pageOf } from '../limits/cost.js';
import { RunEvent } from '../types/run-event.type.js';
import { Run, RunConnection } from '../types/run.types.js';
import { RunStatusEnum } from '../types/status-enums.js';
import { listRunsCriteriaOf, runEventsPageOf } from './arguments.js';
import type { Actor } from '../../../application/actor.js';
import { CurrentActor } from '../../identity/current-actor.js';

/** Reads of runs, each one query of the query bus (the REST controllers send the same). */
@Resolver()
export class RunQueriesResolver {
  constructor(private readonly queries: QueryBus) {}

  @Query(() => Run, { nullable: true, description: 'One run with its tasks; null if there is no such run.' })
  async run(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<RunView | null> {
    try {
      // A malformed id names no run, like an unknown one: null.
      return await this.queries.execute(new GetRunQuery(actor, parseRunId(id)));
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }

  @Query(() => RunConnection, {
    description: 'Runs, newest first; `after` is the `nextCursor` of the previous page.',
    complexity: connectionOf('first'),
  })
  async runs(
    @CurrentActor() actor: Actor,
    @Args('definition', { type: () => String, nullable: true }) definition: string | null,
    @Args('status', { type: () => RunStatusEnum, nullable: true }) status: RunStatus | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<RunList> {
    return this.queries.execute(
      new ListRunsQuery(actor, listRunsCriteriaOf({ definition, status, first, after })),
    );
  }

  @Query(() => [RunEvent], {
    name: 'runEvents',
    description: "The run's events with seq > after, in order.",
    complexity: pageOf('first'),
  })
  async runEvents(
    @CurrentActor() actor: Actor,
    @Args('runId', { type: () => ID }) runId: string,
    @Args('after', { type: () => Int, nullable: true, defaultValue: 0 }) after: number | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 100 }) first: number | null,
  ): Promise<RunEventPage['items']> {
    const page = await this.queries.execute(
      new GetRunEventsQuery(actor, parseRunId(runId), runEventsPageOf(after, first)),
    );
    return page.items;
  }
}
