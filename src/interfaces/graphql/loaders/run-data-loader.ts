import type { QueryBus } from '@nestjs/cqrs';
import type { Actor } from '../../../application/actor.js';
import DataLoader from 'dataloader';
import { GetRunsByIdsQuery } from '../../../application/queries/get-runs-by-ids.js';
import type { RunView } from '../../../application/queries/run-view.js';

/** Full runs by id, batched: every `Run.tasks` of one page becomes one `GetRunsByIdsQuery`. */
export type RunDataLoader = DataLoader<string, RunView | null>;

/**
 * `cache: false` for contexts that outlive one result (a subscription executes every event
 * in the context it was started with, so a cache would serve the first event's run forever).
 */
export function createRunDataLoader(
  queries: QueryBus,
  actor: Actor,
  options: { cache: boolean },
): RunDataLoader {
  return new DataLoader<string, RunView | null>((ids) => queries.execute(new GetRunsByIdsQuery(actor, ids)), {
    cache: options.cache,
    maxBatchSize: 1000,
  });
}
