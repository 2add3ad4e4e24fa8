import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import type { RunStatus } from '../../domain/run/run-status.js';
import { NotFoundError } from '../errors.js';
import { RUN_READ_MODEL, type RunReadModel } from '../ports/run-read-model.js';
import { RUN_VIEW_CACHE, type RunViewCache } from '../ports/run-view-cache.js';
import { isRunId } from '../../domain/shared/run-id.js';
import { eventView, runSummaryView, runView, type RunView } from './run-view.js';

export const MAX_LIMIT = 1000;
const clamp = (limit: number | undefined) =>
  Math.min(MAX_LIMIT, Math.max(1, Math.trunc(limit ?? 100) || 100));

export class GetRunQuery {
  constructor(readonly runId: string) {}
}

/** The same run as JSON text: REST sends a cached view as it is stored, without a parse. */
export class GetRunJsonQuery {
  constructor(readonly runId: string) {}
}

/** Cache-aside: a fresh view from the cache, else the read model (which is read-your-writes). */
async function readThrough(
  runId: string,
  minVersion: number | null,
  reads: RunReadModel,
  cache: RunViewCache,
): Promise<{ view: RunView; json: string }> {
  const found = await reads.getRun(runId, minVersion);
  if (!found) throw new NotFoundError(`run ${runId} not found`);
  const view = runView(found.run, found.definition);
  const json = JSON.stringify(view);
  await cache.store(runId, found.run.version, json);
  return { view, json };
}

@QueryHandler(GetRunQuery)
export class GetRunHandler implements IQueryHandler<GetRunQuery> {
  constructor(
    @Inject(RUN_READ_MODEL) private readonly reads: RunReadModel,
    @Inject(RUN_VIEW_CACHE) private readonly cache: RunViewCache,
  ) {}

  async execute({ runId }: GetRunQuery): Promise<RunView> {
    if (!isRunId(runId)) throw new NotFoundError(`run ${runId} not found`);
    const cached = await this.cache.lookup(runId);
    if (cached.view) return cached.view;
    return (await readThrough(runId, cached.minVersion, this.reads, this.cache)).view;
  }
}

@QueryHandler(GetRunJsonQuery)
export class GetRunJsonHandler implements IQueryHandler<GetRunJsonQuery> {
  constructor(
    @Inject(RUN_READ_MODEL) private readonly reads: RunReadModel,
    @Inject(RUN_VIEW_CACHE) private readonly cache: RunViewCache,
  ) {}

  async execute({ runId }: GetRunJsonQuery): Promise<string> {
    if (!isRunId(runId)) throw new NotFoundError(`run ${runId} not found`);
    const cached = await this.cache.lookupJson(runId);
    if (cached.json !== null) return cached.json;
    return (await readThrough(runId, cached.minVersion, this.reads, this.cache)).json;
  }
}

export class ListRunsQuery {
  constructor(
    readonly definition?: string,
    readonly status?: RunStatus,
    readonly limit?: number,
    readonly cursor?: string,
    readonly createdAfter?: Date,
    readonly createdBefore?: Date,
  ) {}
}

@QueryHandler(ListRunsQuery)
export class ListRunsHandler implements IQueryHandler<ListRunsQuery> {
  constructor(@Inject(RUN_READ_MODEL) private readonly reads: RunReadModel) {}

  async execute(q: ListRunsQuery) {
    const page = await this.reads.listRuns({
      limit: clamp(q.limit),
      ...(q.definition ? { definition: q.definition } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
      ...(q.createdAfter ? { createdAfter: q.createdAfter } : {}),
      ...(q.createdBefore ? { createdBefore: q.createdBefore } : {}),
    });
    return { items: page.items.map(runSummaryView), nextCursor: page.nextCursor };
  }
}

export class GetRunEventsQuery {
  constructor(
    readonly runId: string,
    readonly after = 0,
    readonly limit?: number,
  ) {}
}

@QueryHandler(GetRunEventsQuery)
export class GetRunEventsHandler implements IQueryHandler<GetRunEventsQuery> {
  constructor(@Inject(RUN_READ_MODEL) private readonly reads: RunReadModel) {}

  async execute({ runId, after, limit }: GetRunEventsQuery) {
    const size = clamp(limit);
    const events = await this.reads.events(runId, Math.max(0, after), size);
    if (events.length === 0 && !(await this.reads.runHead(runId)))
      throw new NotFoundError(`run ${runId} not found`);
    const last = events.at(-1);
    return {
      items: events.map(eventView),
      nextCursor: events.length === size && last ? String(last.seq) : null,
    };
  }
}
