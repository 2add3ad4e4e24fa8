import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { depthLimitRule } from '../../../src/interfaces/graphql/limits/depth-limit.rule.js';

/** A cyclic schema: Sagaflow's own has no cycle, so only this one can nest without end. */
const schema = buildSchema(`
  type Node { name: String, child: Node }
  type Query { root: Node, other: Node }
`);
const rule = depthLimitRule({ maxDepth: 8, maxIntrospectionDepth: 20 });

/** A selection `levels` deep: child { child { … name } }. */
const nested = (levels: number) => `${'child { '.repeat(levels - 1)}name${' }'.repeat(levels - 1)}`;
const errorsOf = (query: string) =>
  validate(schema, parse(query), [...specifiedRules, rule]).map((e) => e.message);

describe('depthLimitRule', () => {
  it('accepts 8 levels and refuses 9, naming the root field', () => {
    expect(errorsOf(`{ root { ${nested(7)} } }`)).toEqual([]);
    expect(errorsOf(`{ root { ${nested(8)} } }`)).toEqual([
      'field "root" is nested 9 levels deep; at most 8 are allowed',
    ]);
  });

  it('counts through fragments and inline fragments, at the root too', () => {
    const query = `
      query { ...Roots }
      fragment Roots on Query { ... on Query { other { ...Deep } } }
      fragment Deep on Node { ${nested(8)} }`;
    expect(errorsOf(query)).toEqual(['field "other" is nested 9 levels deep; at most 8 are allowed']);
  });

  it('measures a document of fragments that spread each other twice per level in linear time', () => {
    const levels = 40;
    const fragments = Array.from(
      { length: levels },
      (_, i) => `fragment F${i} on Node { a: child { ...F${i + 1} } b: child { ...F${i + 1} } }`,
    ).join('\n');
    const query = `{ root { ...F0 } } ${fragments} fragment F${levels} on Node { name }`;
    expect(errorsOf(query)).toEqual([
      `field "root" is nested ${levels + 2} levels deep; at most 8 are allowed`,
    ]);
  });

  it('leaves cyclic fragments to the standard rule without looping', () => {
    const errors = errorsOf(
      `{ root { ...A } } fragment A on Node { child { ...B } } fragment B on Node { child { ...A } }`,
    );
    expect(errors.some((m) => m.includes('Cannot spread fragment'))).toBe(true);
  });
});
