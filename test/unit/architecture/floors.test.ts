import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

/**
 * The floors of docs/architecture.md ("Composition root and floors") are held by
 * `import-x/no-restricted-paths` in eslint.config.js. Each case lints a deliberately wrong (or
 * right) import placed inside a layer, through the project's own configuration.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const FLOOR_RULES = new Set(['import-x/no-restricted-paths', 'no-restricted-imports']);

let eslint: ESLint;

beforeAll(() => {
  // The project's config, minus type-aware linting: fixture files are not on disk, so they belong
  // to no TypeScript project, and the floors need no types.
  eslint = new ESLint({ cwd: root, overrideConfig: tseslint.configs.disableTypeChecked });
});

async function floorViolations(file: string, specifier: string): Promise<Linter.LintMessage[]> {
  const code = `import type * as Imported from '${specifier}';\nexport type Fixture = typeof Imported;\n`;
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  const messages = result!.messages;
  const fatal = messages.filter((m) => m.fatal === true);
  expect(fatal).toEqual([]);
  return messages.filter((m) => m.ruleId !== null && FLOOR_RULES.has(m.ruleId));
}

const wrong: Array<[string, string, string]> = [
  ['domain → application', 'src/domain/run/floors-fixture.ts', '../../application/ports/run-store.js'],
  ['domain → infrastructure', 'src/domain/run/floors-fixture.ts', '../../infrastructure/messaging/logger.js'],
  ['domain → interfaces', 'src/domain/run/floors-fixture.ts', '../../interfaces/worker/task-executor.js'],
  ['domain → app', 'src/domain/run/floors-fixture.ts', '../../app/app-options.js'],
  ['domain → an infrastructure package', 'src/domain/run/floors-fixture.ts', 'kysely'],
  [
    'application → infrastructure',
    'src/application/engine/floors-fixture.ts',
    '../../infrastructure/messaging/logger.js',
  ],
  [
    'application → interfaces',
    'src/application/engine/floors-fixture.ts',
    '../../interfaces/worker/attempt-log.js',
  ],
  [
    'interfaces → infrastructure',
    'src/interfaces/roles/floors-fixture.ts',
    '../../infrastructure/messaging/consumer.js',
  ],
  [
    'interfaces → infrastructure (deeper)',
    'src/interfaces/worker/handlers/floors-fixture.ts',
    '../../../infrastructure/logging/redaction.js',
  ],
  [
    'infrastructure → interfaces',
    'src/infrastructure/messaging/floors-fixture.ts',
    '../../interfaces/worker/attempt-log.js',
  ],
];

const right: Array<[string, string, string]> = [
  ['domain → domain', 'src/domain/run/floors-fixture.ts', '../shared/run-id.js'],
  ['application → domain', 'src/application/engine/floors-fixture.ts', '../../domain/shared/run-id.js'],
  ['application → its ports', 'src/application/engine/floors-fixture.ts', '../ports/run-store.js'],
  [
    'interfaces → application ports',
    'src/interfaces/roles/floors-fixture.ts',
    '../../application/ports/logger.js',
  ],
  [
    'infrastructure → application ports',
    'src/infrastructure/messaging/floors-fixture.ts',
    '../../application/ports/messages.js',
  ],
  [
    'app → infrastructure',
    'src/app/composition/floors-fixture.ts',
    '../../infrastructure/messaging/amqp-inboxes.js',
  ],
  ['app → interfaces', 'src/app/composition/floors-fixture.ts', '../../interfaces/roles/worker-role.js'],
  ['test → infrastructure', 'test/unit/floors-fixture.ts', '../../src/infrastructure/messaging/logger.js'],
];

describe('architecture floors (eslint.config.js)', () => {
  it.each(wrong)('reports %s', async (_name, file, specifier) => {
    const violations = await floorViolations(file, specifier);
    expect(violations).toHaveLength(1);
    expect(violations[0]!.line).toBe(1);
  });

  it.each(right)('allows %s', async (_name, file, specifier) => {
    expect(await floorViolations(file, specifier)).toEqual([]);
  });
});
