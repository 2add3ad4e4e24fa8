import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** An ISO-8601 UTC timestamp with milliseconds (docs/contract.md#runs), as REST writes it. */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'ISO-8601 UTC timestamp with milliseconds, e.g. 2026-11-22T10:00:00.000Z.',
  serialize: (value) => toIso(value),
  parseValue: (value) => toIso(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO-8601 string');
    return toIso(ast.value);
  },
});

function toIso(value: unknown): string {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 timestamp');
  return date.toISOString();
}
