import { GraphQLScalarType, valueFromASTUntyped } from 'graphql';

/**
 * Any JSON value: task inputs and outputs, event data, whole definitions as mutation
 * arguments. Shape rules stay in the domain (the definition validator), not here.
 */
export const JsonScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});
