import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { TSchema } from 'typebox';
import { registeredRoutes } from '../../../src/interfaces/identity/http-authentication.js';
import { POLICY, requirementOf } from '../../../src/interfaces/identity/policy.js';
import { ClientFrameSchema } from '../../../src/interfaces/ws/frame-schemas.js';
import { SECRET, startAuthApp, type AuthApp } from './support/auth-app.js';

/** Every `type` literal of the /ws client frame schema (unions nest). */
function frameTypes(schema: TSchema): string[] {
  const node = schema as { anyOf?: TSchema[]; properties?: { type?: { const?: string } } };
  if (node.anyOf) return node.anyOf.flatMap(frameTypes);
  const literal = node.properties?.type?.const;
  return literal === undefined ? [] : [literal];
}

/**
 * The policy table against what the running api actually serves: every route Fastify
 * registered, every root field of the GraphQL schema and every /ws client frame type. A new
 * operation without an entry fails here (and is denied at run time).
 */
describe('policy table coverage', () => {
  let app: AuthApp;
  let operations: string[];
  beforeAll(async () => {
    app = await startAuthApp({ secret: SECRET }, 'policy');
    const http = app.sagaflow.app as NestFastifyApplication;
    const schema = http.get(GraphQLSchemaHost).schema;
    const fields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap(
      (type) => (type ? Object.keys(type.getFields()).map((field) => `${type.name}.${field}`) : []),
    );
    const ws = [...new Set(frameTypes(ClientFrameSchema))].map((type) => `ws:${type}`);
    operations = [...registeredRoutes(http.getHttpAdapter().getInstance()), ...fields, ...ws];
  });
  afterAll(() => app.close());

  it('finds the operations of each transport', () => {
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /v1/runs',
        'GET /health/live',
        'Query.run',
        'Mutation.startRun',
        'ws:subscribe',
      ]),
    );
  });

  it('has an entry for every registered operation', () => {
    expect(operations.filter((operation) => requirementOf(operation) === undefined)).toEqual([]);
  });

  it('names no operation that is not served (a stale entry hides a renamed route)', () => {
    const served = new Set(operations);
    expect(Object.keys(POLICY).filter((operation) => !served.has(operation))).toEqual([]);
  });
});
