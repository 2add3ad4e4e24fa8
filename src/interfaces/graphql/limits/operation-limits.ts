import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity } from 'graphql-query-complexity';
import { fieldCost } from './cost.js';
import { aliasLimitRule } from './alias-limit.rule.js';
import { depthLimitRule } from './depth-limit.rule.js';

/**
 * Bounds on what one operation may ask for, checked before any resolver runs: over HTTP by
 * Apollo (validation rules, then `costLimitPlugin`), over graphql-ws in `onSubscribe` —
 * queries, mutations and subscriptions alike. The schema has no cycles, so its own fields
 * stay well inside the depth limit (the deepest path is 6); the cost limit is what bounds
 * list fan-out (see `cost.ts` for how lists are priced).
 */
export const OPERATION_LIMITS = {
  maxDepth: 8,
  maxIntrospectionDepth: 20,
  /** About 5000 objects, or 50,000 values (see `cost.ts`). */
  maxCost: 50_000,
  /**
   * Tokens the parser reads before giving up (graphql-js `maxTokens`): bounds parse time and
   * the parser's recursion on deep literals; large payloads belong in variables.
   */
  maxTokens: 10_000,
  /** Aliased fields per document: enough for a dashboard's side-by-side reads, not for a bomb. */
  maxAliases: 50,
  maxDirectives: 50,
} as const;

/** Extra validation rules, on top of graphql's specified ones. */
export const LIMIT_VALIDATION_RULES: readonly ValidationRule[] = [
  depthLimitRule(OPERATION_LIMITS),
  aliasLimitRule(OPERATION_LIMITS),
];

const ESTIMATORS = [fieldExtensionsEstimator(), fieldCost];

/**
 * The error that rejects a valid operation whose estimated cost is over the limit, or null.
 * Costs depend on arguments, so this needs the request's variables; when they do not fit
 * the operation, execution rejects them (before any resolver) and this lets it.
 */
export function costLimitError(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
  maxCost: number = OPERATION_LIMITS.maxCost,
): GraphQLError | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coerced.errors) return null;
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      ...(operationName ? { operationName } : {}),
      estimators: ESTIMATORS,
    });
  } catch (error) {
    // Too many nodes to price: as much a rejection as a cost over the limit.
    return limitError(error instanceof Error ? error.message : String(error));
  }
  return cost > maxCost
    ? limitError(`the operation costs ${cost}; at most ${maxCost} is allowed`, { cost, maxCost })
    : null;
}

function limitError(message: string, details: Record<string, number> = {}): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...details, http: { status: 400 } },
  });
}
