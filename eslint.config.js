import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

const infrastructurePackages = [
  '@nestjs/*',
  '@mikro-orm/*',
  'amqplib',
  'ioredis',
  'opossum',
  '@opentelemetry/*',
  'fastify',
  'pg',
  'kysely',
  'prom-client',
];

/**
 * The floors (docs/architecture.md, "Composition root and floors"): which layer may import
 * which. src/app (the composition root), main.ts, worker.ts (the `sagaflow/worker` entry), tests
 * and the bench may import anything.
 */
const floors = [
  {
    target: './src/domain',
    from: './src',
    except: ['./domain'],
    message: 'src/domain imports nothing outside src/domain.',
  },
  {
    target: './src/domain',
    from: ['./test', './bench', './scripts'],
    message: 'src/domain imports nothing outside src/domain.',
  },
  {
    target: './src/application',
    from: ['./src/infrastructure', './src/interfaces', './src/app', './src/main.ts', './src/worker.ts'],
    message: 'src/application reaches adapters through its ports (src/application/ports), never directly.',
  },
  {
    target: './src/interfaces',
    from: ['./src/infrastructure', './src/app', './src/main.ts', './src/worker.ts'],
    message: 'src/interfaces uses application ports; src/app binds them to infrastructure.',
  },
  {
    target: './src/infrastructure',
    from: ['./src/interfaces', './src/app', './src/main.ts', './src/worker.ts'],
    message: 'src/infrastructure implements application ports and knows no transport.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '.readme-example-*/**',
      'jest.config.js',
      'eslint.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      // Relative imports name the emitted `.js`; resolve them to the `.ts` source.
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.js', '.mjs', '.json'],
          extensionAlias: { '.js': ['.ts', '.js'] },
        }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: floors }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: infrastructurePackages,
              message: 'src/domain is pure: no framework or infrastructure imports.',
            },
          ],
        },
      ],
    },
  },
  {
    // Metrics are counted by infrastructure (after-commit listeners, scrape-time collectors).
    files: ['src/application/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'prom-client', message: 'metrics live in src/infrastructure/metrics.' }] },
      ],
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false, program: null },
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', URL: 'readonly' },
    },
  },
);
