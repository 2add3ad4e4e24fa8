import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { shapeIssues } from '../../../src/application/contracts/shape-issues.js';

const Task = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z]+$', errorMessage: 'must be a key' }),
    after: Type.Optional(Type.Array(Type.String(), { errorMessage: 'must be an array of keys' })),
    retries: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false, errorMessage: 'must be a task object' },
);

const Body = Type.Object(
  {
    name: Type.String({ minLength: 1, errorMessage: 'must name something' }),
    target: Type.Union(
      [
        Type.String({ minLength: 1, errorMessage: 'must be a non-empty name' }),
        Type.Object({ url: Type.String({ errorMessage: 'must be a URL string' }) }),
      ],
      { errorMessage: 'must be a name or a target object' },
    ),
    tasks: Type.Optional(
      Type.Array(Task, { minItems: 1, errorMessage: 'must be a non-empty array of tasks' }),
    ),
    limit: Type.Optional(
      Type.Union([Type.Integer({ maximum: 9, errorMessage: 'must be at most 9' }), Type.Null()]),
    ),
  },
  { additionalProperties: false, errorMessage: 'must be a JSON object' },
);

describe('shapeIssues', () => {
  it('answers nothing for a value of the shape', () => {
    expect(
      shapeIssues(Body, { name: 'a', target: 'b', tasks: [{ key: 'x', after: [] }], limit: null }),
    ).toEqual([]);
  });

  it("names the root as $, in the root's words", () => {
    expect(shapeIssues(Body, [1])).toEqual([{ path: '$', message: 'must be a JSON object' }]);
    expect(shapeIssues(Body, 'text', 'body')).toEqual([{ path: 'body', message: 'must be a JSON object' }]);
  });

  it('names each unknown field, and each missing one at its own path in its own words', () => {
    expect(shapeIssues(Body, { owner: 'me', 'a/b~c': 1 })).toEqual(
      expect.arrayContaining([
        { path: 'owner', message: 'is not a known field' },
        { path: 'a/b~c', message: 'is not a known field' },
        { path: 'name', message: 'must name something' },
        { path: 'target', message: 'must be a name or a target object' },
      ]),
    );
    expect(shapeIssues(Body, { owner: 'me', 'a/b~c': 1 })).toHaveLength(4);
  });

  it("lets the branch of the value's JSON type speak, and the union when none has it", () => {
    expect(shapeIssues(Body, { name: 'a', target: '' })).toEqual([
      { path: 'target', message: 'must be a non-empty name' },
    ]);
    expect(shapeIssues(Body, { name: 'a', target: {} })).toEqual([
      { path: 'target.url', message: 'must be a URL string' },
    ]);
    expect(shapeIssues(Body, { name: 'a', target: 7 })).toEqual([
      { path: 'target', message: 'must be a name or a target object' },
    ]);
    expect(shapeIssues(Body, { name: 'a', target: 'b', limit: 12 })).toEqual([
      { path: 'limit', message: 'must be at most 9' },
    ]);
  });

  it('names nested paths the way the issues do (tasks[1].key), an item without words in its array’s', () => {
    expect(
      shapeIssues(Body, {
        name: 'a',
        target: 'b',
        tasks: [{ key: 'x' }, { key: 'X1', after: ['y', 3] }, 'no'],
      }),
    ).toEqual([
      { path: 'tasks[1].key', message: 'must be a key' },
      { path: 'tasks[1].after', message: 'must be an array of keys' },
      { path: 'tasks[2]', message: 'must be a task object' },
    ]);
  });

  it("never gives an object's words to its properties", () => {
    const [issue] = shapeIssues(Body, { name: 'a', target: 'b', tasks: [{ key: 'x', retries: -1 }] });
    expect(issue?.path).toBe('tasks[0].retries');
    expect(issue?.message).not.toBe('must be a task object');
  });

  it('checks a field schema on its own under the path given', () => {
    expect(shapeIssues(Body.properties.name, '', 'name')).toEqual([
      { path: 'name', message: 'must name something' },
    ]);
  });

  it('finds a problem exactly when the schema refuses the value (property)', () => {
    const validator = Compile(Body);
    fc.assert(
      fc.property(
        fc.record(
          {
            name: fc.oneof(fc.string(), fc.integer()),
            target: fc.oneof(
              fc.string(),
              fc.record({ url: fc.oneof(fc.string(), fc.boolean()) }),
              fc.constant(null),
            ),
            tasks: fc.array(fc.record({ key: fc.string(), retries: fc.integer({ min: -2, max: 2 }) }), {
              maxLength: 3,
            }),
            limit: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(null), fc.string()),
            extra: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
        (value) => {
          const issues = shapeIssues(Body, value);
          expect(issues.length === 0).toBe(validator.Check(value));
          expect(new Set(issues.map((issue) => `${issue.path} ${issue.message}`)).size).toBe(issues.length);
        },
      ),
    );
  });
});
