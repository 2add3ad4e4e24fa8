import type { QueryBus } from '@nestjs/cqrs';
import type { Actor } from '../../application/actor.js';
import { createRunDataLoader, type RunDataLoader } from './loaders/run-data-loader.js';

/** What every resolver gets as its GraphQL context: one per HTTP request or ws operation. */
export interface GraphqlContext {
  /** Who runs the operation; resolvers read it with `@CurrentActor()`. */
  actor: Actor;
  runs: RunDataLoader;
}

export function createGraphqlContext(
  queries: QueryBus,
  actor: Actor,
  { cache }: { cache: boolean },
): GraphqlContext {
  return { actor, runs: createRunDataLoader(queries, actor, { cache }) };
}
