import { describe, expect, it } from '@jest/globals';
import { buildSchema } from 'graphql';
import { prepareOperation } from '../../../src/interfaces/graphql/subscriptions/operation-args.js';

/** graphql-ws operations in production (docs/security.md#transport-hardening), as over HTTP. */
const schema = buildSchema('type Query { runs: Int, run: Int }');
const messages = (query: string, production: boolean) => {
  const prepared = prepareOperation(schema, { query }, { production });
  return 'errors' in prepared ? prepared.errors.map((error) => error.message) : [];
};

describe('prepareOperation in production', () => {
  it('refuses introspection, which development allows', () => {
    expect(messages('{ __schema { types { name } } }', false)).toEqual([]);
    expect(messages('{ __schema { types { name } } }', true)).toContain(
      'GraphQL introspection has been disabled, but the requested query contained the field "__schema".',
    );
  });

  it('names no field the caller did not ask for', () => {
    expect(messages('{ runz }', false)).toEqual([
      'Cannot query field "runz" on type "Query". Did you mean "run" or "runs"?',
    ]);
    expect(messages('{ runz }', true)).toEqual(['Cannot query field "runz" on type "Query".']);
  });
});
