// Writes docs/contracts/asyncapi.json from the built code (offline: no service is needed).
// Run with `npm run asyncapi:export`; test/unit/contracts/asyncapi-file.test.ts fails when the
// committed file is stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { buildAsyncApiDocument } from '../dist/src/app/asyncapi-document.js';

mkdirSync('docs/contracts', { recursive: true });
writeFileSync('docs/contracts/asyncapi.json', `${JSON.stringify(buildAsyncApiDocument(), null, 2)}\n`);
console.log('wrote docs/contracts/asyncapi.json');
