import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { readRepoFile, repoRoot } from './support/deploy-files.js';
import { contextCopies, dockerfileProblems } from './support/dockerfile-checks.js';

const dockerfile = readRepoFile('Dockerfile');

describe('Dockerfile', () => {
  it('builds in one stage and runs Node 24, non-root, production dependencies only, in another', () => {
    expect(dockerfileProblems(dockerfile)).toEqual([]);
  });

  it('copies into the runtime stage only files that exist and that .dockerignore lets through', () => {
    const copies = contextCopies(dockerfile);
    expect(copies).toContain('deploy/healthcheck.mjs');
    expect(copies.filter((path) => !existsSync(join(repoRoot, path)))).toEqual([]);
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(
      copies.filter((path) => ignored.some((pattern) => path === pattern || path.startsWith(`${pattern}/`))),
    ).toEqual([]);
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git']));
  });

  it('health-checks /health/live for the api role', () => {
    expect(readRepoFile('deploy/healthcheck.mjs')).toContain("'/health/live'");
  });

  const replace = (from: RegExp, to: string) => {
    const changed = dockerfile.replace(from, to);
    expect(changed).not.toEqual(dockerfile);
    return changed;
  };

  it.each<[string, () => string, RegExp]>([
    [
      'a Node 20 runtime',
      () => replace(/FROM \$\{NODE_IMAGE\} AS runtime/, 'FROM node:20-slim AS runtime'),
      /not Node 24/,
    ],
    ['no USER', () => replace(/^USER node$/m, ''), /runs as root \(no USER\)/],
    ['USER root', () => replace(/^USER node$/m, 'USER root'), /runs as root/],
    ['no NODE_ENV', () => replace(/^ENV NODE_ENV=production$/m, ''), /NODE_ENV=production/],
    ['another CMD', () => replace(/^CMD .*$/m, 'CMD ["npm", "start"]'), /runtime CMD/],
    ['no HEALTHCHECK', () => replace(/^HEALTHCHECK .*$/m, ''), /no HEALTHCHECK/],
    ['dev dependencies kept', () => replace(/^RUN npm prune .*$/m, ''), /keeps the dev dependencies/],
    ['npm ci', () => replace(/^RUN npm install .*$/m, 'RUN npm ci'), /uses npm ci/],
    ['one stage', () => dockerfile.split(/^FROM .* AS runtime$/m)[0]!, /not a multi-stage build/],
  ])('catches %s', (_label, change, problem) => {
    expect(dockerfileProblems(change()).join('\n')).toMatch(problem);
  });
});
