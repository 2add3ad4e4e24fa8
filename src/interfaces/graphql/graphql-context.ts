import type { QueryBus } from '@nestjs/cqrs';
import { createRunLoader, type RunLoader } from './loaders/run-loader.js';

/** What every resolver gets as its GraphQL context: one per HTTP request or ws operation. */
export interface GraphqlContext {
  runs: RunLoader;
}

export function createGraphqlContext(queries: QueryBus, { cache }: { cache: boolean }): GraphqlContext {
  return { runs: createRunLoader(queries, { cache }) };
}
