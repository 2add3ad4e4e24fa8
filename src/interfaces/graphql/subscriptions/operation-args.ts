import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { costLimitError, LIMIT_VALIDATION_RULES, OPERATION_LIMITS } from '../limits/operation-limits.js';
import { modeRules, withoutSuggestions, type GraphqlOptions } from '../graphql-options.js';

/**
 * What Apollo does before executing an HTTP operation, done for a graphql-ws one: parse,
 * validate (with the depth limit), coerce variables, price it. Returns the errors to send,
 * or the document to execute. Errors carry the codes Apollo would give them.
 */
export function prepareOperation(
  schema: GraphQLSchema,
  payload: SubscribePayload,
  options: GraphqlOptions = { production: false },
): { errors: GraphQLError[] } | { document: DocumentNode } {
  let document: DocumentNode;
  try {
    document = parse(payload.query, { maxTokens: OPERATION_LIMITS.maxTokens });
  } catch (error) {
    return { errors: [coded(asGraphqlError(error), 'GRAPHQL_PARSE_FAILED')] };
  }
  const invalid = validate(schema, document, [
    ...specifiedRules,
    ...LIMIT_VALIDATION_RULES,
    ...modeRules(options),
  ]);
  if (invalid.length > 0) {
    const errors = invalid.map((e) => coded(e, 'GRAPHQL_VALIDATION_FAILED'));
    if (!options.production) return { errors };
    return { errors: errors.map((e) => new GraphQLError(withoutSuggestions(e), e)) };
  }
  const operation = getOperationAST(document, payload.operationName);
  if (operation) {
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {});
    if (coerced.errors) return { errors: coerced.errors.map((e) => coded(e, 'BAD_USER_INPUT')) };
  }
  const tooCostly = costLimitError(schema, document, payload.variables, payload.operationName);
  if (tooCostly) return { errors: [tooCostly] };
  return { document };
}

/** Arguments for graphql's `execute`/`subscribe` from a prepared document. */
export function executionArgs(
  schema: GraphQLSchema,
  document: DocumentNode,
  payload: SubscribePayload,
  contextValue: unknown,
): ExecutionArgs {
  return {
    schema,
    document,
    contextValue,
    variableValues: payload.variables ?? null,
    operationName: payload.operationName ?? null,
  };
}

function coded(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    extensions: { ...error.extensions, code: error.extensions.code ?? code },
  });
}

function asGraphqlError(error: unknown): GraphQLError {
  return error instanceof GraphQLError ? error : new GraphQLError(String(error));
}
