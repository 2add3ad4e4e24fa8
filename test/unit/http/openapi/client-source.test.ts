import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { buildOpenApiDocument } from '../../../../src/interfaces/http/openapi/openapi-document.js';

const CLIENT = 'test/client/register-start-poll.ts';
const TYPES = 'test/client/openapi.d.ts';

describe('the generated-client check (npm run check:client)', () => {
  it(`${CLIENT} has no cast, non-null assertion or any`, () => {
    const source = ts.createSourceFile(CLIENT, readFileSync(CLIENT, 'utf8'), ts.ScriptTarget.Latest, true);
    const found: string[] = [];
    const visit = (node: ts.Node) => {
      if (
        ts.isAsExpression(node) ||
        ts.isTypeAssertionExpression(node) ||
        ts.isNonNullExpression(node) ||
        node.kind === ts.SyntaxKind.AnyKeyword
      ) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        found.push(`line ${line + 1}: ${node.getText()}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(found).toEqual([]);
  });

  it(`${TYPES} is what openapi-typescript makes of the document`, async () => {
    const generated = `${COMMENT_HEADER}${astToString(await openapiTS(structuredClone(buildOpenApiDocument()) as never))}`;
    expect(readFileSync(TYPES, 'utf8')).toBe(generated);
  });
});
