import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { buildAsyncApiDocument } from '../../../src/app/asyncapi-document.js';

describe('docs/contracts/asyncapi.json', () => {
  it('is the document the code builds (regenerate with npm run asyncapi:export)', () => {
    const committed = JSON.parse(readFileSync('docs/contracts/asyncapi.json', 'utf8')) as unknown;
    expect(committed).toEqual(buildAsyncApiDocument());
  });
});
