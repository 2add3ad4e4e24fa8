/**
 * Checks HTTP answers against the OpenAPI document (docs/contracts/openapi.json, built fresh
 * here): the route and method must be in it, the status must be one of the operation's
 * responses, the media type the documented one, and a JSON body must match the schema (TypeBox
 * `Compile` over the document's own JSON Schemas). Anything else throws, naming the request, so
 * a response the document does not describe fails the test that got it.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import {
  buildOpenApiDocument,
  type OpenApiDocument,
} from '../../../src/interfaces/http/openapi/openapi-document.js';

type Json = { [key: string]: unknown };
type Validator = ReturnType<typeof Compile>;

interface Route {
  template: string;
  pattern: RegExp;
  operations: Record<string, Json>;
}

export class OpenApiResponses {
  private readonly routes: Route[];
  private readonly context: Record<string, TSchema>;
  private readonly validators = new Map<string, Validator>();

  constructor(document: OpenApiDocument = buildOpenApiDocument()) {
    const schemas = localRefs(document.components.schemas) as Record<string, TSchema>;
    this.context = schemas;
    // Literal paths before templated ones, so `/v1/definitions/validate` is not a `{name}`.
    this.routes = Object.entries(document.paths)
      .map(([template, operations]) => ({ template, operations, pattern: patternOf(template) }))
      .sort((a, b) => paramCount(a.template) - paramCount(b.template));
  }

  /** Throws unless the answer to `method url` is what the document says that route answers. */
  check(method: string, url: string, status: number, contentType: string | undefined, body: string): void {
    const where = `${method} ${url} → ${status}`;
    const path = url.split('?')[0] ?? url;
    const route = this.routes.find((r) => r.pattern.test(path));
    if (!route) throw new Error(`${where}: the OpenAPI document has no route for ${path}`);
    const operation = route.operations[method.toLowerCase()];
    if (!operation) throw new Error(`${where}: the document has no ${method} ${route.template}`);
    const response = (operation.responses as Record<string, Json>)[String(status)];
    if (!response) throw new Error(`${where}: status ${status} is not documented for ${route.template}`);
    const content = response.content as Record<string, { schema: Json }> | undefined;
    if (!content) {
      if (body !== '') throw new Error(`${where}: the document says no body, got ${body.slice(0, 200)}`);
      return;
    }
    const mediaType = (contentType ?? '').split(';')[0]?.trim() ?? '';
    const documented = content[mediaType];
    if (!documented) {
      throw new Error(
        `${where}: media type "${mediaType}" is not documented (${Object.keys(content).join(', ')})`,
      );
    }
    if (!/json$/.test(mediaType)) return;
    this.validate(`${route.template} ${method} ${status}`, documented.schema, where, body);
  }

  /** For a route the document leaves out on purpose (an unknown path): a problem+json body at least. */
  checkUndocumented(
    method: string,
    url: string,
    status: number,
    contentType: string | undefined,
    body: string,
  ) {
    const where = `${method} ${url} → ${status}`;
    if (!(contentType ?? '').startsWith('application/problem+json'))
      throw new Error(`${where}: an undocumented route must answer problem+json, got ${contentType}`);
    this.validate('Problem', { $ref: 'Problem' }, where, body);
  }

  private validate(key: string, schema: Json, where: string, body: string) {
    let validator = this.validators.get(key);
    if (!validator) {
      validator = Compile(this.context, localRefs(schema) as TSchema);
      this.validators.set(key, validator);
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      throw new Error(`${where}: the body is not JSON: ${body.slice(0, 200)}`);
    }
    if (!validator.Check(value)) {
      const errors = validator.Errors(value).map((e) => `${e.instancePath || '/'} ${e.message}`);
      throw new Error(
        `${where}: the body does not match the document:\n  ${errors.join('\n  ')}\n${body.slice(0, 2000)}`,
      );
    }
  }
}

/**
 * `app.inject` whose every answer is checked against the document. `undocumented` names why a
 * request goes to a route the document leaves out (only its problem+json shape is checked).
 */
export function checkedInject(app: () => NestFastifyApplication, checker = new OpenApiResponses()) {
  return async (options: InjectOptions, undocumented?: string): Promise<LightMyRequestResponse> => {
    const response = await app().inject(options);
    const method = options.method ?? 'GET';
    const url = options.url ?? options.path ?? '/';
    const args = [
      String(method),
      typeof url === 'string' ? url : url.pathname,
      response.statusCode,
      headerText(response.headers['content-type']),
      response.body,
    ] as const;
    if (undocumented) checker.checkUndocumented(...args);
    else checker.check(...args);
    return response;
  };
}

const headerText = (value: string | string[] | number | undefined) =>
  value === undefined ? undefined : String(value);

/** The document's `#/components/schemas/X` refs as TypeBox context refs (`X`). */
function localRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(localRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string'
        ? value.replace('#/components/schemas/', '')
        : localRefs(value),
    ]),
  );
}

function patternOf(template: string): RegExp {
  const source = template
    .split('/')
    .map((segment) => (/^\{.+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

const paramCount = (template: string) => (template.match(/\{/g) ?? []).length;
