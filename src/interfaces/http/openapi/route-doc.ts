import { SetMetadata } from '@nestjs/common';
import type { TObject, TSchema } from 'typebox';
import { Problem } from '../../../application/contracts/schemas/problem.js';

/**
 * What the OpenAPI document says about one route, declared on the controller method next to
 * Nest's `@Get`/`@Post` (which give the method and path). Every schema is a TypeBox value from
 * `src/application/contracts/schemas`, the one source of the REST shapes (docs/contract.md#rest-api).
 */
export interface RouteDoc {
  operationId: string;
  summary: string;
  description?: string;
  tag: 'definitions' | 'runs' | 'api-keys' | 'dead-letters' | 'health' | 'observability';
  /** Path parameters, one property each. */
  params?: TObject;
  /** Query parameters, one property each (optional ones not `required`). */
  query?: TObject;
  /** Request headers, one property each. */
  headers?: TObject;
  body?: { schema: TSchema; required: boolean; description?: string };
  responses: Record<number, ResponseDoc>;
}

export interface ResponseDoc {
  description: string;
  /** JSON body (`application/json` unless `contentType` says otherwise). */
  schema?: TSchema;
  contentType?: string;
  /** Response headers by name. */
  headers?: Record<string, { description: string; schema: TSchema }>;
}

export const ROUTE_DOC = Symbol('sagaflow:route-doc');

/** Documents a route; the document builder refuses a route without one. */
export const ApiRoute = (doc: RouteDoc) => SetMetadata(ROUTE_DOC, doc);

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'malformed or invalid body or parameter; `errors` names each field by JSON path',
  401: 'no credential, or one that is malformed, unknown, expired or revoked (with auth on)',
  403: 'the credential lacks the role, or the namespace, or the grant asked for',
  404: 'unknown (or malformed) id or name',
  409: 'conflicts with what is stored',
  413: 'body over 1 MiB, or a run input over SAGAFLOW_MAX_PAYLOAD_BYTES',
  429: 'over the rate limit; `Retry-After` says when to come back (docs/security.md#rate-limits)',
  415: 'body is not application/json',
  422: 'the run state forbids the action',
  500: 'anything unexpected (no internals in `detail`)',
  503: 'PostgreSQL or RabbitMQ is unreachable, or (run starts) the engine is past capacity; `Retry-After` says when to retry',
};

/**
 * The problem+json answers of a route (docs/contract.md#rest-api, "Errors"); 500 and, for
 * routes that read or write PostgreSQL, 503 are possible everywhere, so always listed.
 */
export function problems(statuses: number[], database = true): Record<number, ResponseDoc> {
  const all = [...statuses, ...(database ? [503] : []), 500];
  return Object.fromEntries(
    all.map((status) => [
      status,
      {
        description: PROBLEM_DESCRIPTIONS[status] ?? 'error',
        schema: Problem,
        contentType: PROBLEM_MEDIA_TYPE,
      },
    ]),
  );
}
