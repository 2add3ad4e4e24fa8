import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { RESOURCE_SCHEMAS } from './resource-schemas.js';
import { TASK_ACTION_SCHEMAS } from './task-schemas.js';

export const DOCS_PATH = 'docs';

/**
 * The OpenAPI document: paths from the controllers' decorators, schemas hand-written
 * (the task union and JSON-valued fields do not map onto DTO classes).
 */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Sagaflow')
    .setDescription(
      'DAG workflow orchestrator with saga compensation. Errors are RFC 9457 problem details ' +
        '(application/problem+json).',
    )
    .setVersion('1')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...TASK_ACTION_SCHEMAS, ...RESOURCE_SCHEMAS },
  };
  return document;
}

/** Swagger UI at `/docs`, the document at `/docs-json` and `/docs/json`. */
export function setupOpenApi(app: NestFastifyApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup(DOCS_PATH, app, document);
  app
    .getHttpAdapter()
    .getInstance()
    .get(`/${DOCS_PATH}/json`, async () => document);
}
