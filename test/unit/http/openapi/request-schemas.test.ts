import { describe, expect, it } from '@jest/globals';
import { Compile } from 'typebox/compile';
import { checkDefinition } from '../../../../src/application/contracts/requests/definition-body.js';
import {
  CancelRunRequest,
  DefinitionInput,
  StartRunRequest,
} from '../../../../src/application/contracts/schemas/index.js';

const definition = Compile(DefinitionInput);

/** Bodies the server registers: the documented shape must accept every one. */
const ACCEPTED: [string, unknown][] = [
  [
    'the contract example',
    {
      name: 'order-fulfilment',
      version: 3,
      description: 'optional',
      tasks: [
        {
          key: 'reserve',
          type: 'http',
          input: { method: 'POST', url: 'http://stock/reserve', body: { sku: '${input.sku}' } },
          compensation: { type: 'http', input: { method: 'POST', url: 'http://stock/release' } },
        },
        {
          key: 'charge',
          type: 'http',
          dependsOn: ['reserve'],
          retry: {
            maxAttempts: 5,
            initialIntervalMs: 200,
            backoffCoefficient: 2,
            maxIntervalMs: 10000,
            jitter: 0.2,
          },
          timeoutMs: 15000,
          priority: 7,
          input: { method: 'POST', url: 'http://pay/charge', body: { amount: '${input.amount}' } },
        },
      ],
      output: { charge: '${tasks.charge.output.body}' },
    },
  ],
  ['a templated delay', { name: 'd', tasks: [{ key: 'wait', type: 'delay', input: { ms: '${input.ms}' } }] }],
  ['noop without input', { name: 'n', tasks: [{ key: 'a', type: 'noop' }] }],
  ['a custom handler', { name: 'c', tasks: [{ key: 'a', type: 'send-email', input: ['any', 1] }] }],
];

/** Bodies the server refuses for their shape: the documented shape must refuse them too. */
const REFUSED: [string, unknown][] = [
  ['an unknown top-level field', { name: 'x', tasks: [{ key: 'a', type: 'noop' }], owner: 'me' }],
  ['an unknown task field', { name: 'x', tasks: [{ key: 'a', type: 'noop', retries: 3 }] }],
  ['http without input', { name: 'x', tasks: [{ key: 'a', type: 'http' }] }],
  ['delay without ms', { name: 'x', tasks: [{ key: 'a', type: 'delay', input: {} }] }],
  ['no tasks', { name: 'x', tasks: [] }],
  ['a bad name', { name: 'Not Valid!', tasks: [{ key: 'a', type: 'noop' }] }],
  ['priority out of range', { name: 'x', tasks: [{ key: 'a', type: 'noop', priority: 12 }] }],
  ['a retry field by another name', { name: 'x', tasks: [{ key: 'a', type: 'noop', retry: { max: 2 } }] }],
];

describe('request schemas agree with what the server accepts', () => {
  it.each(ACCEPTED)('%s: the server and the schema accept it', (_, body) => {
    expect(checkDefinition(body).errors).toEqual([]);
    expect([...definition.Errors(body)]).toEqual([]);
  });

  it.each(REFUSED)('%s: the server and the schema refuse it', (_, body) => {
    expect(checkDefinition(body).valid).toBe(false);
    expect(definition.Check(body)).toBe(false);
  });

  it('start and cancel bodies', () => {
    const start = Compile(StartRunRequest);
    expect(start.Check({ definition: 'demo', input: { n: 1 }, priority: 9, idempotencyKey: 'k' })).toBe(true);
    expect(start.Check({ definition: { name: 'inline', tasks: [{ key: 'a', type: 'noop' }] } })).toBe(true);
    expect(
      start.Check({ definition: { name: 'inline', version: 1, tasks: [{ key: 'a', type: 'noop' }] } }),
    ).toBe(false);
    expect(start.Check({ definition: 'demo', extra: true })).toBe(false);
    const cancel = Compile(CancelRunRequest);
    expect(cancel.Check({ reason: 'operator' })).toBe(true);
    expect(cancel.Check({ reason: 'x'.repeat(1001) })).toBe(false);
  });
});
