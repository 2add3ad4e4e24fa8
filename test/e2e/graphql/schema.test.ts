import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  isEnumType,
  isObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { RUN_STATUSES } from '../../../src/domain/run/run-status.js';
import { COMPENSATION_STATUSES, TASK_STATUSES } from '../../../src/domain/run/task-status.js';
import { startGraphqlApp, type GraphqlApp } from './support/graphql-app.js';

/** the contract's (docs/contract.md#live-progress) minimum schema, verbatim, with stand-ins for the types it only names. */
const SPEC_SDL = `
  scalar JSON
  scalar DateTime
  type Query {
    run(id: ID!): Run
    runs(definition: String, status: RunStatus, first: Int = 50, after: String): RunConnection!
    definition(name: String!, version: Int): Definition
    definitions: [Definition!]!
    runEvents(runId: ID!, after: Int = 0, first: Int = 100): [RunEvent!]!
    deadLetters(queue: String, first: Int = 50, after: String): DeadLetterConnection!
    deadLetter(id: ID!): DeadLetter
  }
  type Mutation {
    registerDefinition(definition: JSON!): Definition!
    startRun(definition: String, inline: JSON, version: Int, input: JSON, idempotencyKey: String, priority: Int): Run!
    cancelRun(id: ID!, reason: String): Run!
    retryRun(id: ID!): Run!
    replayDeadLetter(id: ID!): Boolean!
    deleteDeadLetter(id: ID!): Boolean!
  }
  type Subscription {
    runEvents(runId: ID!, after: Int = 0): RunEvent!
    runUpdated(runId: ID!): Run!
  }
  type RunEvent { seq: Int!, type: String!, taskKey: String, attempt: Int, at: DateTime!, data: JSON }
  type RunConnection { items: [Run!]!, nextCursor: String }
  type Run { id: ID! }
  type Definition { name: String! }
  type DeadLetter { id: ID! }
  type DeadLetterConnection { items: [DeadLetter!]!, nextCursor: String }
  enum RunStatus { PENDING }
`;

/** Every field of a type as `name(arg: Type = default, …): Type`, sorted (field order means nothing). */
function signatures(schema: GraphQLSchema, typeName: string): string[] {
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
  return Object.values(type.getFields())
    .map((field) => {
      const args = field.args.map(
        (a) =>
          `${a.name}: ${String(a.type)}${a.defaultValue === undefined ? '' : ` = ${JSON.stringify(a.defaultValue)}`}`,
      );
      return `${field.name}(${args.join(', ')}): ${String(field.type)}`;
    })
    .sort();
}

const enumValues = (schema: GraphQLSchema, name: string) => {
  const type = schema.getType(name);
  if (!isEnumType(type)) throw new Error(`${name} is not an enum`);
  return type.getValues().map((v) => v.value as string);
};

describe('the GraphQL schema, as a client sees it through introspection', () => {
  let app: GraphqlApp;
  let served: GraphQLSchema;
  const spec = buildSchema(SPEC_SDL);

  beforeAll(async () => {
    app = await startGraphqlApp('gqlschema');
    // The full introspection query (what GraphiQL sends) passes the depth and cost limits.
    const { status, body } = await app.graphql<IntrospectionQuery>(
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
        oneOf: true,
      }),
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    served = buildClientSchema(body.data!);
  });
  afterAll(async () => {
    await app?.close();
  });

  it.each(['Query', 'Mutation', 'Subscription', 'RunEvent', 'RunConnection'])(
    '%s is exactly docs/contract.md#live-progress (names, arguments, defaults, nullability)',
    (typeName) => {
      expect(signatures(served, typeName)).toEqual(signatures(spec, typeName));
    },
  );

  it('has the JSON and DateTime scalars', () => {
    expect(served.getType('JSON')?.toString()).toBe('JSON');
    expect(served.getType('DateTime')?.toString()).toBe('DateTime');
  });

  it('has the statuses as enums with the REST values', () => {
    expect(enumValues(served, 'RunStatus')).toEqual([...RUN_STATUSES]);
    expect(enumValues(served, 'TaskStatus')).toEqual([...TASK_STATUSES]);
    expect(enumValues(served, 'CompensationStatus')).toEqual([...COMPENSATION_STATUSES]);
  });

  it('gives Run, Task, Compensation and Definition the fields of their REST JSON (docs/contract.md#rest-api)', () => {
    const names = (t: string) => signatures(served, t).map((s) => s.slice(0, s.indexOf('(')));
    expect(names('Run')).toEqual(
      expect.arrayContaining([
        'id',
        'definition',
        'status',
        'input',
        'output',
        'error',
        'tasks',
        'createdAt',
        'startedAt',
        'finishedAt',
        'priority',
        'idempotencyKey',
      ]),
    );
    expect(names('Task')).toEqual(
      expect.arrayContaining([
        'key',
        'type',
        'dependsOn',
        'status',
        'attempts',
        'output',
        'error',
        'queuedAt',
        'startedAt',
        'finishedAt',
        'compensation',
      ]),
    );
    expect(names('Compensation')).toEqual(
      expect.arrayContaining(['status', 'attempts', 'output', 'error', 'startedAt', 'finishedAt']),
    );
    expect(names('Definition')).toEqual(
      expect.arrayContaining(['name', 'version', 'description', 'tasks', 'output', 'createdAt']),
    );
  });
});
