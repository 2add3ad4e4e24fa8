import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { aliasLimitRule } from '../../../src/interfaces/graphql/limits/alias-limit.rule.js';

const schema = buildSchema(`
  type Node { name: String, child: Node }
  type Query { root: Node }
`);
const rule = aliasLimitRule({ maxAliases: 5, maxDirectives: 3 });
const errorsOf = (query: string) =>
  validate(schema, parse(query), [...specifiedRules, rule]).map((e) => e.message);
const aliased = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}: root { name }`).join(' ');

describe('aliasLimitRule', () => {
  it('refuses a document with more aliases than allowed, once, wherever they are', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), (inRoot, inFragment) => {
        const query = `{ __typename ${aliased(inRoot, 'a')} ...F } fragment F on Query { ${aliased(inFragment, 'b')} __typename }`;
        const expected = inRoot + inFragment > 5 ? ['the document uses more than 5 aliases'] : [];
        expect(errorsOf(query)).toEqual(expected);
      }),
    );
  });

  it('counts directives across the document', () => {
    expect(
      errorsOf('{ root @include(if: true) { name @skip(if: false) child @include(if: true) { name } } }'),
    ).toEqual([]);
    expect(
      errorsOf(
        '{ root @include(if: true) { name @skip(if: false) child @include(if: true) { name @skip(if: false) } } }',
      ),
    ).toEqual(['the document uses more than 3 directives']);
  });
});
