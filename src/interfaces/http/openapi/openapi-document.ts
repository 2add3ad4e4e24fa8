import 'reflect-metadata';
import { RequestMethod, type Type as Class } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import type { TObject, TSchema } from 'typebox';
import { HTTP_CONTROLLERS } from '../controllers/http-controllers.js';
import { RESPONSE_COMPONENTS } from './components.js';
import { toJsonSchema, toJsonSchemaRef, type JsonSchema } from './json-schema.js';
import { httpOperation, requirementOf } from '../../identity/policy.js';
import { problems, ROUTE_DOC, type ResponseDoc, type RouteDoc } from './route-doc.js';
import { NamespaceHeader } from '../../../application/contracts/schemas/common.js';

/** The OpenAPI 3.1 document of the REST API, as served at `/docs/json` and committed at docs/contracts/openapi.json. */
export interface OpenApiDocument {
  openapi: string;
  info: {
    title: string;
    version: string;
    description: string;
    license: { name: string; identifier: string };
  };
  servers: { url: string; description: string }[];
  tags: { name: string; description: string }[];
  security: Record<string, never[]>[];
  paths: Record<string, Record<string, JsonSchema>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
}

const TAGS: Record<RouteDoc['tag'], string> = {
  definitions: 'Workflow definitions: register, validate, read (docs/contract.md#workflow-definitions)',
  runs: 'Runs: start, read, list, events, cancel, retry (docs/contract.md#runs)',
  'api-keys': 'API keys of a namespace: create, list, revoke (docs/security.md#api-keys)',
  'dead-letters': 'Dead-lettered messages: list, show, replay once, delete (docs/operations.md#dead-letters)',
  health: 'Liveness and readiness (docs/contract.md#health-and-metrics)',
  observability: 'Prometheus metrics (docs/operations.md#metrics)',
};

/**
 * Builds the document from the controllers alone (no app, no services): Nest's route metadata
 * gives each method and path, `@ApiRoute` the rest, and every schema comes from
 * `src/application/contracts/schemas`. A route without `@ApiRoute` is an error, so none goes undocumented.
 */
export function buildOpenApiDocument(controllers: readonly Class[] = HTTP_CONTROLLERS): OpenApiDocument {
  const names = new Map<object, string>(Object.entries(RESPONSE_COMPONENTS).map(([n, s]) => [s, n]));
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routesOf(controllers)) {
    const item = (paths[route.path] ??= {});
    item[route.method] = operation(route, names);
  }
  const schemas = Object.fromEntries(
    Object.entries(RESPONSE_COMPONENTS).map(([name, schema]) => [name, toJsonSchema(schema, names)]),
  );
  return {
    openapi: '3.1.1',
    info: {
      title: 'Sagaflow',
      version: '1',
      description:
        'DAG workflow orchestrator with saga compensation. Errors are RFC 9457 problem details ' +
        '(application/problem+json). With SAGAFLOW_AUTH on, every operation but the probes needs ' +
        'a Bearer JWT or an API key, holding at least the role its `x-sagaflow-role` names, and ' +
        'acts in the namespace of the `Sagaflow-Namespace` header (docs/security.md). ' +
        'The contract: docs/contract.md.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'the api role that serves this document' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    // Either scheme will do; the public operations say `security: []` for themselves.
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    paths,
    components: { schemas, securitySchemes: SECURITY_SCHEMES },
  };
}

const SECURITY_SCHEMES: Record<string, JsonSchema> = {
  bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
  apiKeyHeader: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'or `Authorization: ApiKey <key>`',
  },
};

interface Route {
  method: string;
  path: string;
  /** The policy table's id of the route (`POST /v1/runs/:id/cancel`). */
  operation: string;
  doc: RouteDoc;
}

function routesOf(controllers: readonly Class[]): Route[] {
  const routes: Route[] = [];
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const proto = controller.prototype as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(proto)) {
      const handler = proto[key];
      if (key === 'constructor' || typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      const path = openApiPath(base, String(Reflect.getMetadata(PATH_METADATA, handler) ?? '/'));
      const verb = RequestMethod[method].toLowerCase();
      const doc = Reflect.getMetadata(ROUTE_DOC, handler) as RouteDoc | undefined;
      if (!doc) throw new Error(`${verb.toUpperCase()} ${path} (${controller.name}.${key}) has no @ApiRoute`);
      const pattern = path.replace(/\{(\w+)\}/g, ':$1');
      routes.push({ method: verb, path, operation: httpOperation(verb, pattern), doc });
    }
  }
  return routes;
}

/** `v1/runs` + `:id/events` → `/v1/runs/{id}/events`. */
function openApiPath(base: string, path: string): string {
  const joined = [base, path]
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment !== '')
    .map((segment) => (segment.startsWith(':') ? `{${segment.slice(1)}}` : segment));
  return `/${joined.join('/')}`;
}

/**
 * An operation, with what the policy table says of it: the lowest role (`x-sagaflow-role`)
 * and, unless public, the 401, 403 and 429 every guarded route can answer.
 */
function operation({ doc, operation: id }: Route, names: ReadonlyMap<object, string>): JsonSchema {
  const requirement = requirementOf(id);
  if (requirement === undefined) throw new Error(`${id} has no entry in the policy table`);
  const guarded = requirement !== 'public';
  // A guarded route reads the caller's namespace: a malformed Sagaflow-Namespace header is a 400.
  const responses = guarded ? { ...problems([400, 401, 403, 429], false), ...doc.responses } : doc.responses;
  const parameters = [
    ...parametersOf(doc.params, 'path'),
    ...parametersOf(doc.query, 'query'),
    ...parametersOf(doc.headers, 'header'),
    ...(guarded ? parametersOf(NamespaceHeader, 'header') : []),
  ];
  return {
    operationId: doc.operationId,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag],
    'x-sagaflow-role': requirement,
    ...(requirement === 'public' ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(doc.body
      ? {
          requestBody: {
            required: doc.body.required,
            ...(doc.body.description ? { description: doc.body.description } : {}),
            content: { 'application/json': { schema: toJsonSchema(doc.body.schema) } },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(responses).map(([status, response]) => [status, responseOf(response, names)]),
    ),
  };
}

function parametersOf(object: TObject | undefined, where: 'path' | 'query' | 'header'): JsonSchema[] {
  if (!object) return [];
  const required = new Set<string>(object.required ?? []);
  return Object.entries(object.properties as Record<string, TSchema>).map(([name, schema]) => {
    const { description, ...rest } = toJsonSchema(schema);
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function responseOf(response: ResponseDoc, names: ReadonlyMap<object, string>): JsonSchema {
  return {
    description: response.description,
    ...(response.headers
      ? {
          headers: Object.fromEntries(
            Object.entries(response.headers).map(([name, header]) => [
              name,
              { description: header.description, schema: toJsonSchema(header.schema) },
            ]),
          ),
        }
      : {}),
    ...(response.schema
      ? {
          content: {
            [response.contentType ?? 'application/json']: { schema: toJsonSchemaRef(response.schema, names) },
          },
        }
      : {}),
  };
}
