import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped, type ValueNode } from 'graphql';
import {
  findJsonHazard,
  hazardText,
  MAX_JSON_DEPTH,
  type JsonHazard,
} from '../../../domain/shared/json-hazards.js';

/**
 * Any JSON value: task inputs and outputs, event data, whole definitions as mutation
 * arguments. Shape rules stay in the domain (the definition validator), not here; what no
 * JSON value may hold (too deep, U+0000, lone surrogates, `__proto__` — docs/security.md,
 * "Limits and hostile input") is refused here, as REST's body parser and checks refuse it,
 * before any resolver runs.
 */
export const JsonScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => checked(value),
  parseLiteral: (ast, variables) => {
    if (literalTooDeep(ast))
      throw new GraphQLError(`$: nests deeper than ${MAX_JSON_DEPTH} levels (max-depth)`);
    return checked(valueFromASTUntyped(ast, variables));
  },
});

function checked(value: unknown): unknown {
  const hazard = findJsonHazard(value, { prototypeKeys: true });
  if (hazard) throw new GraphQLError(describe(hazard));
  return value;
}

function describe(hazard: JsonHazard): string {
  return `${hazard.path}: ${hazardText(hazard)}`;
}

/** Iterative, so that `valueFromASTUntyped`, which recurses, never sees a literal too deep for it. */
function literalTooDeep(ast: ValueNode): boolean {
  const stack: Array<{ node: ValueNode; depth: number }> = [{ node: ast, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: ValueNode; depth: number };
    if (node.kind === Kind.LIST) {
      if (depth + 1 > MAX_JSON_DEPTH) return true;
      for (const value of node.values) stack.push({ node: value, depth: depth + 1 });
    } else if (node.kind === Kind.OBJECT) {
      if (depth + 1 > MAX_JSON_DEPTH) return true;
      for (const field of node.fields) stack.push({ node: field.value, depth: depth + 1 });
    }
  }
  return false;
}
