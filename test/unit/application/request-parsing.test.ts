/**
 * The request parsers of src/application/contracts/requests, which every transport calls
 * before it builds a command or query (docs/architecture.md#where-requests-are-parsed): one
 * table per parser, then properties that REST (query string or body) and GraphQL (arguments)
 * reach the same parsed value or the same issues for the same input.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseCancelRun } from '../../../src/application/contracts/requests/cancel-run.js';
import {
  parseRegisterDefinition,
  parseValidateDefinition,
} from '../../../src/application/contracts/requests/definition-body.js';
import { parseAfterSeq } from '../../../src/application/contracts/requests/fields.js';
import { parseGetDefinition } from '../../../src/application/contracts/requests/get-definition.js';
import { parseListRuns } from '../../../src/application/contracts/requests/list-runs.js';
import { parseRunEvents } from '../../../src/application/contracts/requests/run-events.js';
import { parseRunId } from '../../../src/application/contracts/requests/run-id.js';
import { parseStartRun } from '../../../src/application/contracts/requests/start-run.js';
import { NotFoundError } from '../../../src/application/errors.js';
import { RUN_STATUSES, type RunStatus } from '../../../src/domain/run/run-status.js';
import { DomainValidationError, type ValidationIssue } from '../../../src/domain/shared/domain-error.js';
import {
  cancelRunInputOf,
  listRunsCriteriaOf,
  runEventsPageOf,
  startRunInputOf,
  type StartRunArguments,
} from '../../../src/interfaces/graphql/resolvers/arguments.js';
import {
  listRunsRequest,
  runEventsRequest,
  type QueryString,
} from '../../../src/interfaces/http/params/query-params.js';

type Outcome<T> = { value: T } | { issues: ValidationIssue[] } | { notFound: string };

/** What a parser did: its value, the issues of its 400, or the message of its 404. */
function outcome<T>(parse: () => T): Outcome<T> {
  try {
    return { value: parse() };
  } catch (error) {
    if (error instanceof DomainValidationError) return { issues: error.issues };
    if (error instanceof NotFoundError) return { notFound: error.message };
    throw error;
  }
}

const pathsOf = (parse: () => unknown): string[] => {
  const result = outcome(parse);
  if (!('issues' in result)) throw new Error(`expected issues, got ${JSON.stringify(result)}`);
  return result.issues.map((issue) => issue.path);
};

const RUN_ID = '0b7c6a52-2f7e-4d47-9a55-0f3c1d2e4b6a';
const DEFINITION = { name: 'demo', tasks: [{ key: 'a', type: 'noop' }] };

describe('parseStartRun', () => {
  it.each<[string, unknown, string[]]>([
    ['a body that is not an object', [1], ['$']],
    ['an unknown field', { definition: 'demo', extra: 1 }, ['extra']],
    ['an empty name', { definition: '' }, ['definition']],
    ['a definition that is neither', { definition: 7 }, ['definition']],
    ['a version that is not positive', { definition: 'demo', version: 0 }, ['version']],
    ['a fractional version', { definition: 'demo', version: 1.5 }, ['version']],
    ['a priority over 9', { definition: 'demo', priority: 10 }, ['priority']],
    ['a negative priority', { definition: 'demo', priority: -1 }, ['priority']],
    ['an empty idempotency key', { definition: 'demo', idempotencyKey: '' }, ['idempotencyKey']],
    [
      'a too long idempotency key',
      { definition: 'demo', idempotencyKey: 'k'.repeat(256) },
      ['idempotencyKey'],
    ],
    ['an inline definition with a version beside it', { definition: DEFINITION, version: 1 }, ['version']],
    [
      'an inline definition with a version',
      { definition: { ...DEFINITION, version: 1 } },
      ['definition.version'],
    ],
    // The whole shape at once: the bad priority inside, then the missing name, then the envelope.
    [
      'an inline definition without a name',
      { definition: { tasks: [{ key: 'a', type: 'noop', priority: 12 }] }, priority: 10 },
      ['definition.tasks[0].priority', 'definition.name', 'priority'],
    ],
    [
      'an invalid inline definition, named under definition',
      { definition: { name: 'x', tasks: [{ key: 'a', type: 'noop', dependsOn: ['ghost'] }] } },
      ['definition.tasks[0].dependsOn[0]'],
    ],
  ])('rejects %s', (_label, body, paths) => {
    expect(pathsOf(() => parseStartRun(body))).toEqual(paths);
  });

  it('reads a registered name with its defaults, the header key when the body has none', () => {
    expect(parseStartRun({ definition: 'demo' }, 'k-1')).toEqual({
      definition: { kind: 'registered', name: 'demo', version: null },
      input: {},
      idempotencyKey: 'k-1',
      priority: null,
    });
    expect(
      parseStartRun(
        { definition: 'demo', version: 2, input: { a: 1 }, idempotencyKey: 'body', priority: 0 },
        'header',
      ),
    ).toEqual({
      definition: { kind: 'registered', name: 'demo', version: 2 },
      input: { a: 1 },
      idempotencyKey: 'body',
      priority: 0,
    });
  });

  it('rejects a header key that breaks the rule under the body field name', () => {
    expect(pathsOf(() => parseStartRun({ definition: 'demo' }, 'k'.repeat(256)))).toEqual(['idempotencyKey']);
  });

  it('validates an inline definition and holds it with its defaults applied', () => {
    const parsed = parseStartRun({ definition: DEFINITION });
    expect(parsed.definition).toEqual({ kind: 'inline', definition: parseRegisterDefinition(DEFINITION) });
  });
});

describe('definition bodies', () => {
  it('parseRegisterDefinition applies defaults or names every problem', () => {
    expect(parseRegisterDefinition(DEFINITION)).toMatchObject({
      name: 'demo',
      version: null,
      description: null,
    });
    expect(pathsOf(() => parseRegisterDefinition({ name: 'Bad Name' }))).toEqual(['name', 'tasks']);
    expect(pathsOf(() => parseRegisterDefinition('text'))).toEqual(['$']);
  });

  it('parseValidateDefinition never throws: the problems are the answer', () => {
    expect(parseValidateDefinition([1])).toEqual({
      valid: false,
      definition: null,
      errors: [{ path: '$', message: 'must be an object' }],
    });
    expect(parseValidateDefinition(DEFINITION)).toMatchObject({ valid: true, errors: [] });
  });
});

describe('parseCancelRun', () => {
  it.each<[string, unknown, string | null]>([
    ['no body', undefined, null],
    ['null', null, null],
    ['an empty object', {}, null],
    ['a reason', { reason: 'operator' }, 'operator'],
    ['a reason of 1000 characters', { reason: 'x'.repeat(1000) }, 'x'.repeat(1000)],
  ])('reads %s', (_label, body, reason) => {
    expect(parseCancelRun(body)).toEqual({ reason });
  });

  it.each<[string, unknown, string]>([
    ['text', 'text', '$'],
    ['an array', [], '$'],
    ['a numeric reason', { reason: 5 }, 'reason'],
    ['a reason of 1001 characters', { reason: 'x'.repeat(1001) }, 'reason'],
  ])('rejects %s', (_label, body, path) => {
    expect(pathsOf(() => parseCancelRun(body))).toEqual([path]);
  });
});

describe('run ids and definition lookups are 404 when they cannot name anything', () => {
  it('parseRunId lower-cases a UUID and refuses anything else', () => {
    expect(parseRunId(RUN_ID.toUpperCase())).toBe(RUN_ID);
    for (const raw of ['not-a-uuid', '123', `${RUN_ID}x`, ''])
      expect(outcome(() => parseRunId(raw))).toEqual({ notFound: `run ${raw} not found` });
  });

  it('parseGetDefinition takes a version as a number or a path segment', () => {
    expect(parseGetDefinition('demo')).toEqual({ name: 'demo', version: null });
    expect(parseGetDefinition('demo', '3')).toEqual({ name: 'demo', version: 3 });
    expect(parseGetDefinition('demo', 3)).toEqual({ name: 'demo', version: 3 });
    for (const version of ['abc', '0', '1.5', '99999999999', 0, -1, 2.5, 2_147_483_648]) {
      expect(outcome(() => parseGetDefinition('demo', version))).toEqual({
        notFound: `definition "demo" version ${version} not found`,
      });
    }
  });
});

describe('lists and pages', () => {
  it('parseListRuns reads every filter and names every bad one', () => {
    expect(
      parseListRuns({
        definition: 'demo',
        status: 'FAILED',
        limit: '20.7',
        cursor: 'abc',
        createdAfter: '2026-12-01T00:00:00Z',
        createdBefore: '2026-12-02T00:00:00.5+01:00',
      }),
    ).toEqual({
      definition: 'demo',
      status: 'FAILED',
      limit: 20,
      cursor: 'abc',
      createdAfter: new Date('2026-12-01T00:00:00Z'),
      createdBefore: new Date('2026-12-02T00:00:00.5+01:00'),
    });
    expect(parseListRuns({ definition: '', cursor: '' })).toEqual({});
    expect(
      outcome(() => parseListRuns({ status: 'DONE', createdAfter: '2026-12-01', createdBefore: 'x' })),
    ).toEqual({
      issues: [
        { path: 'status', message: '"DONE" is not a run status' },
        { path: 'createdAfter', message: 'must be an ISO-8601 time with a zone, e.g. 2026-12-01T00:00:00Z' },
        { path: 'createdBefore', message: 'must be an ISO-8601 time with a zone, e.g. 2026-12-01T00:00:00Z' },
      ],
    });
  });

  it.each<[unknown, number | undefined]>([
    [undefined, undefined],
    ['abc', undefined],
    [Number.NaN, undefined],
    [5000, 1000],
    ['5000', 1000],
    [0, 1],
    [-3, 1],
    [20.7, 20],
  ])('a limit of %p is %p, never an error', (limit, expected) => {
    expect(parseListRuns({ limit }).limit).toBe(expected);
    expect(parseRunEvents({ limit }).limit).toBe(expected);
  });

  it('parseRunEvents reads after as a non-negative integer, named as the client named it', () => {
    expect(parseRunEvents({})).toEqual({ after: 0 });
    expect(parseRunEvents({ after: 7, limit: 2 })).toEqual({ after: 7, limit: 2 });
    for (const after of [-1, 1.5, '3', null, Number.MAX_SAFE_INTEGER + 1]) {
      expect(outcome(() => parseRunEvents({ after }, 'cursor'))).toEqual({
        issues: [{ path: 'cursor', message: 'must be a non-negative integer' }],
      });
    }
    expect(parseAfterSeq(undefined)).toBe(0);
    expect(pathsOf(() => parseAfterSeq(-1))).toEqual(['after']);
  });
});

describe('REST and GraphQL reach the same value or the same issues', () => {
  /** `POST /v1/runs` as a REST client sends what a GraphQL client put in `startRun`'s arguments. */
  function restBodyOf(args: StartRunArguments): Record<string, unknown> {
    const body: Record<string, unknown> = { definition: args.inline ?? args.definition };
    if (args.version != null) body.version = args.version;
    if (args.input !== undefined) body.input = args.input;
    if (args.idempotencyKey != null) body.idempotencyKey = args.idempotencyKey;
    if (args.priority != null) body.priority = args.priority;
    return body;
  }

  /** GraphQL names an inline definition's problems under the argument it came in: `inline`. */
  const asRestPaths = (result: Outcome<unknown>): Outcome<unknown> =>
    'issues' in result
      ? {
          issues: result.issues.map((i) => ({
            ...i,
            path: i.path.replace(/^inline(?=$|[.[])/, 'definition'),
          })),
        }
      : result;

  const int = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
  const smallInt = fc.oneof(int, fc.integer({ min: -2, max: 12 }));
  const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
  const task = fc.record(
    {
      key: fc.oneof(fc.constantFrom('a', 'b', 'bad key'), fc.string()),
      type: fc.constantFrom('noop', 'echo', ''),
      dependsOn: fc.array(fc.constantFrom('a', 'b', 'ghost'), { maxLength: 2 }),
      priority: smallInt,
      timeoutMs: fc.oneof(int, fc.constant('soon')),
    },
    { requiredKeys: ['key', 'type'] },
  );
  const inline = fc.record(
    {
      name: fc.oneof(fc.constantFrom('inline-demo', 'Bad Name'), fc.string()),
      version: smallInt,
      tasks: fc.oneof(fc.array(task, { maxLength: 3 }), fc.constant('none')),
      extra: fc.boolean(),
    },
    { requiredKeys: ['tasks'] },
  );
  // Only what GraphQL's types let through reaches a resolver: Int, String, JSON.
  const startArgs: fc.Arbitrary<StartRunArguments> = fc
    .record({
      choice: fc.oneof(
        fc.record({ definition: fc.oneof(fc.constant(''), fc.string({ maxLength: 20 })) }),
        fc.record({ inline: fc.oneof(inline, fc.jsonValue({ maxDepth: 2 })) }),
      ),
      version: nullable(smallInt),
      input: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
      idempotencyKey: nullable(
        fc.oneof(fc.string({ maxLength: 3 }), fc.string({ minLength: 250, maxLength: 260 })),
      ),
      priority: nullable(smallInt),
    })
    .map(({ choice, ...rest }): StartRunArguments => ({ ...rest, ...choice }))
    // `inline: null` is "not given" in GraphQL and would leave neither argument.
    .filter((args) => args.inline !== null);

  it('startRun and POST /v1/runs (property)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(startArgs, (args) => {
        const rest = outcome(() => parseStartRun(restBodyOf(args)));
        seen.add(Object.keys(rest)[0]!);
        expect(asRestPaths(outcome(() => startRunInputOf(args)))).toEqual(rest);
      }),
      { numRuns: 500 },
    );
    // The inputs reach both sides of the parser: accepted starts and rejected ones.
    expect([...seen].sort()).toEqual(['issues', 'value']);
  });

  it("startRun names an inline definition's problems under inline", () => {
    expect(pathsOf(() => startRunInputOf({ inline: { tasks: [] }, version: 2 }))).toEqual([
      'inline.tasks',
      'inline.name',
      'version',
    ]);
    expect(pathsOf(() => startRunInputOf({ inline: { name: 'x', tasks: 'none' } }))).toEqual([
      'inline.tasks',
    ]);
  });

  it('startRun wants exactly one of definition and inline (a GraphQL rule: REST has one field)', () => {
    for (const args of [{}, { definition: null, inline: null }, { definition: 'demo', inline: DEFINITION }]) {
      expect(outcome(() => startRunInputOf(args))).toEqual({
        issues: [
          { path: 'definition', message: 'give exactly one of definition (a registered name) and inline' },
        ],
      });
    }
  });

  it('cancelRun and POST /v1/runs/{id}/cancel (property)', () => {
    fc.assert(
      fc.property(
        nullable(fc.oneof(fc.string(), fc.string({ minLength: 995, maxLength: 1005 }))),
        (reason) => {
          const body = reason === null ? undefined : { reason };
          expect(outcome(() => cancelRunInputOf(reason))).toEqual(outcome(() => parseCancelRun(body)));
        },
      ),
    );
  });

  it('runs and GET /v1/runs (property)', () => {
    const args = fc.record({
      definition: nullable(fc.string({ maxLength: 10 })),
      status: nullable(fc.constantFrom<RunStatus>(...RUN_STATUSES)),
      first: nullable(int),
      after: nullable(fc.string({ maxLength: 10 })),
    });
    fc.assert(
      fc.property(args, ({ definition, status, first, after }) => {
        const query: QueryString = {};
        if (definition !== null) query.definition = definition;
        if (status !== null) query.status = status;
        if (first !== null) query.limit = String(first);
        if (after !== null) query.cursor = after;
        expect(outcome(() => listRunsCriteriaOf({ definition, status, first, after }))).toEqual(
          outcome(() => parseListRuns(listRunsRequest(query))),
        );
      }),
    );
  });

  it('runEvents and GET /v1/runs/{id}/events (property)', () => {
    fc.assert(
      fc.property(nullable(int), nullable(int), (after, first) => {
        const query: QueryString = {};
        if (after !== null) query.after = String(after);
        if (first !== null) query.limit = String(first);
        const rest = runEventsRequest(query);
        expect(outcome(() => runEventsPageOf(after, first))).toEqual(
          outcome(() => parseRunEvents(rest.request, rest.afterPath)),
        );
      }),
    );
  });

  it('REST names a repeated query parameter, before any rule of its value', () => {
    expect(
      pathsOf(() => parseListRuns(listRunsRequest({ status: ['FAILED', 'RUNNING'], limit: ['1', '2'] }))),
    ).toEqual(['status', 'limit']);
    const { request, afterPath } = runEventsRequest({ cursor: '-1' });
    expect(pathsOf(() => parseRunEvents(request, afterPath))).toEqual(['cursor']);
  });
});
