import type { ComplexityEstimatorArgs } from '@nestjs/graphql';
import { getNamedType, isLeafType } from 'graphql';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { pageLimit, pageSize as handlerPageSize } from '../../../application/contracts/requests/fields.js';

/**
 * What an operation costs, for the cost limit: roughly the objects and values it makes the
 * server produce. Each object costs `OBJECT_COST`, each scalar or enum value `SCALAR_COST`,
 * so a REST-sized page (1000 runs or events with all their scalars) fits the limit while
 * 1000 runs with their tasks do not. A list costs its expected length times one item: the
 * page size where the client sets one (clamped as the query handlers clamp it), an estimate
 * where it cannot.
 */
export const OBJECT_COST = 10;
export const SCALAR_COST = 1;

/** Expected tasks per run or definition; definitions may have up to 1000. */
export const EXPECTED_TASKS = 10;
/** Expected number of definitions in `definitions` (each is listed once, at its latest version). */
export const EXPECTED_DEFINITIONS = 20;

/** Fields without a price of their own: a value, or an object and what is selected in it. */
export const fieldCost: ComplexityEstimator = ({ field, childComplexity }) =>
  isLeafType(getNamedType(field.type)) ? SCALAR_COST : OBJECT_COST + childComplexity;

/** A list of `size` objects. */
export const listOf =
  (size: number) =>
  ({ childComplexity }: ComplexityEstimatorArgs): number =>
    size * (OBJECT_COST + childComplexity);

/** The page size a handler will use for `args[argument]`: parsed as the resolvers parse it. */
function pageSize(args: Record<string, unknown>, argument: string): number {
  return handlerPageSize(pageLimit(args[argument]));
}

/** A list of objects sized by `argument`. */
export const pageOf =
  (argument: string) =>
  ({ args, childComplexity }: ComplexityEstimatorArgs): number =>
    pageSize(args, argument) * (OBJECT_COST + childComplexity);

/**
 * A connection (`{ items, nextCursor }`) sized by `argument`: the selection under it is
 * priced per item, as its `items` are.
 */
export const connectionOf =
  (argument: string) =>
  ({ args, childComplexity }: ComplexityEstimatorArgs): number =>
    OBJECT_COST + pageSize(args, argument) * childComplexity;
