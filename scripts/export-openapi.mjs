// Writes the OpenAPI document of the REST API to docs/contracts/openapi.json, offline: it is
// built from the controllers and the TypeBox schemas of the build (no database, broker or
// server). The unit test test/unit/http/openapi/openapi-document.test.ts fails when the
// committed file differs from a fresh build.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, [join(root, 'scripts/ensure-build.mjs')], { stdio: 'inherit', cwd: root });
const { buildOpenApiDocument } = await import(
  join(root, 'dist/src/interfaces/http/openapi/openapi-document.js')
);
const target = join(root, process.argv[2] ?? 'docs/contracts/openapi.json');
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${target}`);
