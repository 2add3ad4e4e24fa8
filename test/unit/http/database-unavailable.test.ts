import { describe, expect, it } from '@jest/globals';
import { isDatabaseUnavailable } from '../../../src/interfaces/http/problem/database-unavailable.js';

const withCode = (code: string) => Object.assign(new Error('boom'), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED')],
    ['an admin shutdown', withCode('57P01')],
    ['a class 08 SQLSTATE', withCode('08006')],
    ['a MikroORM ConnectionException', Object.assign(new Error('x'), { name: 'ConnectionException' })],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['a wrapped cause', new Error('query failed', { cause: withCode('ECONNRESET') })],
    ['a dual-stack failure', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')])],
  ])('recognises %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505')],
    ['a plain error', new Error('bug')],
    ['a non-error', 'ECONNREFUSED'],
  ])('does not take %s for an outage', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
