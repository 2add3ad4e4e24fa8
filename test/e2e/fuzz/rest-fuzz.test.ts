import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  buildOpenApiDocument,
  type OpenApiDocument,
} from '../../../src/interfaces/http/openapi/openapi-document.js';
import { startHttpApp, type HttpApp } from '../support/http-app.js';
import { checkedInject, OpenApiResponses } from '../support/openapi-responses.js';

/**
 * Every REST operation of the OpenAPI document, called with generated inputs: path parameters,
 * query parameters and headers from garbage to plausible, and bodies from any JSON value to
 * objects made of the operation's own field names with wrong, edge and right values. The
 * answers must never be a 5xx, and every answer must be what the document says the route
 * answers (status, media type, schema): `checkedInject` throws otherwise.
 */
type Json = Record<string, unknown>;

const document: OpenApiDocument = buildOpenApiDocument();
const checker = new OpenApiResponses(document);
let app: HttpApp;
const inject = checkedInject(() => app.http, checker);

beforeAll(async () => {
  app = await startHttpApp();
}, 60_000);
afterAll(async () => {
  await app.close();
}, 60_000);

/** Printable ASCII and some non-ASCII: what a URL or a header can carry once encoded. */
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    'null',
    'true',
    '00000000-0000-4000-8000-000000000000',
    '..',
    '%',
    '\u0000',
  ),
  fc.uuid(),
  fc.integer().map(String),
);
/** A path segment: not empty, `.` or `..`, which would name another route, not a bad parameter. */
const segment = text.filter((value) => !['', '.', '..'].includes(value));
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 300,
});

function resolve(schema: Json | undefined): Json {
  if (!schema) return {};
  const ref = schema.$ref;
  if (typeof ref === 'string') {
    return resolve(document.components.schemas[ref.replace('#/components/schemas/', '')]);
  }
  return schema;
}

/** JSON values, and objects of the body schema's own field names with any values. */
function bodies(operation: Json): fc.Arbitrary<unknown> {
  const content = (operation.requestBody as Json | undefined)?.content as
    Record<string, { schema: Json }> | undefined;
  const schema = resolve(content?.['application/json']?.schema);
  const names = Object.keys((schema.properties as Json | undefined) ?? {});
  const value = fc.jsonValue({ maxDepth: 3 });
  const fields =
    names.length === 0
      ? []
      : [fc.dictionary(fc.constantFrom(...names, 'extra'), value, { maxKeys: names.length + 1 })];
  return fc.oneof(value, ...fields);
}

interface Operation {
  method: string;
  template: string;
  operation: Json;
}

const OPERATIONS: Operation[] = Object.entries(document.paths).flatMap(([template, operations]) =>
  Object.entries(operations as Record<string, Json>).map(([method, operation]) => ({
    method: method.toUpperCase(),
    template,
    operation,
  })),
);

function requestOf(op: Operation) {
  const parameters = (op.operation.parameters as Json[] | undefined) ?? [];
  const inPath = parameters.filter((p) => p.in === 'path').map((p) => String(p.name));
  const inQuery = parameters.filter((p) => p.in === 'query').map((p) => String(p.name));
  return fc.record({
    path: fc.record(Object.fromEntries(inPath.map((name) => [name, segment]))),
    query: fc.dictionary(fc.constantFrom(...inQuery, 'unknown'), text, { maxKeys: inQuery.length + 1 }),
    headers: fc.record(
      {
        'idempotency-key': headerText,
        'sagaflow-namespace': fc.oneof(headerText, fc.constantFrom('default', 'team-a', 'Team-A')),
        'x-request-id': headerText,
      },
      { requiredKeys: [] },
    ),
    body: op.operation.requestBody ? bodies(op.operation) : fc.constant(undefined),
  });
}

describe('REST fuzzing from the OpenAPI document', () => {
  it('covers every documented operation', () => {
    expect(OPERATIONS.length).toBeGreaterThanOrEqual(20);
  });

  it.each(OPERATIONS.map((op) => [`${op.method} ${op.template}`, op] as const))(
    '%s: never a 5xx, always a documented answer',
    async (_name, op) => {
      await fc.assert(
        fc.asyncProperty(requestOf(op), async (request) => {
          const path = op.template.replace(/\{(\w+)\}/g, (_, name: string) =>
            encodeURIComponent(request.path[name] ?? ''),
          );
          const query = new URLSearchParams(request.query).toString();
          const response = await inject({
            method: op.method,
            url: query === '' ? path : `${path}?${query}`,
            headers: {
              ...request.headers,
              ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            ...(request.body === undefined ? {} : { payload: JSON.stringify(request.body) }),
          });
          expect({ request, status: response.statusCode < 500 }).toEqual({ request, status: true });
        }),
        { numRuns: 60 },
      );
    },
    60_000,
  );
});
