import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { shortEcho } from '../../domain/shared/echo.js';
import type { Actor } from '../actor.js';
import { Inject } from '@nestjs/common';
import { NotFoundError } from '../errors.js';
import { RUN_READ_MODEL, type RunReadModel } from '../ports/run-read-model.js';
import { RUN_VIEW_CACHE, type RunViewCache } from '../ports/run-view-cache.js';
import { isRunId } from '../../domain/shared/run-id.js';
import {
  eventView,
  runSummaryView,
  runView,
  type RunEventView,
  type RunSummaryView,
  type RunView,
} from './run-view.js';
import { pageSize } from '../contracts/requests/fields.js';
import type { ListRunsCriteria } from '../contracts/requests/list-runs.js';
import type { RunEventsPage } from '../contracts/requests/run-events.js';

// Transports build these from `parseRunId`, `parseListRuns` and `parseRunEvents`
// (src/application/contracts/requests): handlers get parsed values only.

export class GetRunQuery extends Query<RunView> {
  constructor(
    readonly actor: Actor,
    readonly runId: string,
  ) {
    super();
  }
}

/** The run view as the JSON text cached for it (GET /v1/runs/:id answers with it unparsed). */
export class GetRunJsonQuery extends Query<string> {
  constructor(
    readonly actor: Actor,
    readonly runId: string,
  ) {
    super();
  }
}

/** Cache-aside: a fresh view from the cache, else the read model (which is read-your-writes). */
async function readThrough(
  namespace: string,
  runId: string,
  minVersion: number | null,
  reads: RunReadModel,
  cache: RunViewCache,
): Promise<{ view: RunView; json: string }> {
  const found = await reads.getRun(namespace, runId, minVersion);
  if (!found) throw new NotFoundError(`run ${shortEcho(runId)} not found`);
  const view = runView(found.run, found.definition);
  const json = JSON.stringify(view);
  await cache.store(namespace, runId, found.run.version, json);
  return { view, json };
}

@QueryHandler(GetRunQuery)
export class GetRunHandler implements IQueryHandler<GetRunQuery, RunView> {
  constructor(
    @Inject(RUN_READ_MODEL) private readonly reads: RunReadModel,
    @Inject(RUN_VIEW_CACHE) private readonly cache: RunViewCache,
  ) {}

  async execute({ actor: { namespace }, runId }: GetRunQuery): Promise<RunView> {
    if (!isRunId(runId)) throw new NotFoundError(`run ${shortEcho(runId)} not found`);
    const cached = await this.cache.lookup(namespace, runId);
    if (cached.view) return cached.view;
    return (await readThrough(namespace, runId, cached.minVersion, this.reads, this.cache)).view;
  }
}

@QueryHandler(GetRunJsonQuery)
export class GetRunJsonHandler implements IQueryHandler<GetRunJsonQuery, string> {
  constructor(
    @Inject(RUN_READ_MODEL) private readonly reads: RunReadModel,
    @Inject(RUN_VIEW_CACHE) private readonly cache: RunViewCache,
  ) {}

  async execute({ actor: { namespace }, runId }: GetRunJsonQuery): Promise<string> {
    if (!isRunId(runId)) throw new NotFoundError(`run ${shortEcho(runId)} not found`);
    const cached = await this.cache.lookupJson(namespace, runId);
    if (cached.json !== null) return cached.json;
    return (await readThrough(namespace, runId, cached.minVersion, this.reads, this.cache)).json;
  }
}

export interface RunList {
  items: RunSummaryView[];
  nextCursor: string | null;
}

export class ListRunsQuery extends Query<RunList> {
  constructor(
    readonly actor: Actor,
    readonly criteria: ListRunsCriteria,
  ) {
    super();
  }
}

@QueryHandler(ListRunsQuery)
export class ListRunsHandler implements IQueryHandler<ListRunsQuery, RunList> {
  constructor(@Inject(RUN_READ_MODEL) private readonly reads: RunReadModel) {}

  async execute({ actor, criteria: q }: ListRunsQuery): Promise<RunList> {
    const page = await this.reads.listRuns(actor.namespace, {
      limit: pageSize(q.limit),
      ...(q.definition ? { definition: q.definition } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
      ...(q.createdAfter ? { createdAfter: q.createdAfter } : {}),
      ...(q.createdBefore ? { createdBefore: q.createdBefore } : {}),
    });
    return { items: page.items.map(runSummaryView), nextCursor: page.nextCursor };
  }
}

export interface RunEventPage {
  items: RunEventView[];
  nextCursor: string | null;
}

export class GetRunEventsQuery extends Query<RunEventPage> {
  constructor(
    readonly actor: Actor,
    readonly runId: string,
    readonly page: RunEventsPage,
  ) {
    super();
  }
}

@QueryHandler(GetRunEventsQuery)
export class GetRunEventsHandler implements IQueryHandler<GetRunEventsQuery, RunEventPage> {
  constructor(@Inject(RUN_READ_MODEL) private readonly reads: RunReadModel) {}

  async execute({ actor: { namespace }, runId, page }: GetRunEventsQuery): Promise<RunEventPage> {
    const size = pageSize(page.limit);
    const events = await this.reads.events(namespace, runId, page.after, size);
    if (events.length === 0 && !(await this.reads.runHead(namespace, runId)))
      throw new NotFoundError(`run ${shortEcho(runId)} not found`);
    const last = events.at(-1);
    return {
      items: events.map(eventView),
      nextCursor: events.length === size && last ? String(last.seq) : null,
    };
  }
}
