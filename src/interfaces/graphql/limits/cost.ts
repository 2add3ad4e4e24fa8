import type { ComplexityEstimatorArgs } from '@nestjs/graphql';
import { MAX_LIMIT } from '../../../application/queries/run-queries.js';

/**
 * Prices of list fields for the cost limit. Every other field costs 1 plus its selection.
 * A list costs its expected length times its selection: the page size where the client
 * sets one (clamped as the query handlers clamp it), an estimate where it cannot.
 */

/** Expected tasks per run or definition; definitions may have up to 1000. */
export const EXPECTED_TASKS = 10;
/** Expected number of definitions in `definitions` (each is listed once, at its latest version). */
export const EXPECTED_DEFINITIONS = 20;

/** A list of `size` items. */
export const listOf =
  (size: number) =>
  ({ childComplexity }: ComplexityEstimatorArgs): number =>
    1 + size * childComplexity;

/** The query handlers' default page size, used when the size given is null or 0. */
const HANDLER_DEFAULT_LIMIT = 100;

/** A page sized by `argument`, as the query handlers size it: 1…1000, null or 0 meaning 100. */
export const pageOf =
  (argument: string) =>
  ({ args, childComplexity }: ComplexityEstimatorArgs): number => {
    const raw = args[argument] as unknown;
    const requested = typeof raw === 'number' ? Math.trunc(raw) : 0;
    const size = Math.min(MAX_LIMIT, Math.max(1, requested || HANDLER_DEFAULT_LIMIT));
    return 1 + size * childComplexity;
  };
