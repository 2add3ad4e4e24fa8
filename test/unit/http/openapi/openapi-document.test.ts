import { describe, expect, it } from '@jest/globals';
import SwaggerParser from '@apidevtools/swagger-parser';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { readFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../../../../src/interfaces/http/openapi/openapi-document.js';

const COMMITTED = 'docs/contracts/openapi.json';

/** The committed text: what `node scripts/export-openapi.mjs` writes. */
const render = (document: unknown) => `${JSON.stringify(document, null, 2)}\n`;

describe('the OpenAPI document', () => {
  const document = buildOpenApiDocument();

  it(`is committed as ${COMMITTED} (regenerate with: npm run openapi:export)`, () => {
    expect(readFileSync(COMMITTED, 'utf8')).toBe(render(document));
  });

  it('is a valid OpenAPI 3.1 document (swagger-parser)', async () => {
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('has no error under Redocly recommended rules', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: render(document), absoluteRef: COMMITTED, config });
    const show = (p: (typeof problems)[number]) =>
      `${p.severity} ${p.ruleId}: ${p.message} at ${p.location.map((l) => l.pointer).join(', ')}`;
    const warnings = problems.filter((p) => p.severity !== 'error').map(show);
    if (warnings.length > 0) console.info(`Redocly warnings:\n${warnings.join('\n')}`);
    expect(problems.filter((p) => p.severity === 'error').map(show)).toEqual([]);
  });
});
