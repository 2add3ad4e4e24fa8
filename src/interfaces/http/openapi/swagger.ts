import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApiDocument } from './openapi-document.js';

export const DOCS_PATH = 'docs';

/**
 * Swagger UI at `/docs`, the document at `/docs/json` (and `/docs-json`). The document is built
 * from the TypeBox schemas (`openapi-document.ts`); @nestjs/swagger only serves it.
 */
export function setupOpenApi(app: NestFastifyApplication): void {
  const document = buildOpenApiDocument();
  // Plain JSON of OpenAPI 3.1; @nestjs/swagger's type describes 3.0 and only passes it through.
  const served = document as unknown as OpenAPIObject;
  SwaggerModule.setup(DOCS_PATH, app, () => served);
  app
    .getHttpAdapter()
    .getInstance()
    .get(`/${DOCS_PATH}/json`, async () => document);
}
