import { describe, expect, it } from '@jest/globals';
import { cli, commandPaths } from './support/cli-harness.js';

/**
 * Every command's `--help`, found by walking the tree `createProgram` builds: a command added
 * without examples fails here without anyone listing it.
 */
const paths = commandPaths();

describe('sagaflow --help', () => {
  it('finds the whole tree: the program, every top-level command and the subcommands', () => {
    const topLevel = paths.filter((path) => path.length === 1).map((path) => path[0]);
    expect(topLevel).toEqual([
      'server',
      'definitions',
      'runs',
      'events',
      'dlq',
      'api-keys',
      'schedules',
      'completion',
    ]);
    expect(paths).toContainEqual(['runs', 'watch']);
    expect(paths).toContainEqual(['schedules', 'trigger']);
    expect(paths.length).toBeGreaterThan(25);
  });

  it.each(paths.map((path) => [path.join(' ') || '(program)', path] as const))(
    '%s --help exits 0 with usage and examples on stdout',
    async (_label, path) => {
      const result = await cli([...path, '--help']);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain(`Usage: sagaflow${path.map((name) => ` ${name}`).join('')}`);
      expect(result.stdout).toMatch(/\nExamples:\n {2}\$ .*\bsagaflow\b/);
    },
  );

  it('`help <command>` shows that command’s help', async () => {
    const result = await cli(['help', 'runs']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: sagaflow runs');
    expect(result.stdout).toContain('Examples:');
  });

  it('--version prints the version it was given and exits 0', async () => {
    const result = await cli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: '9.8.7\n', stderr: '' });
  });

  it('the program help names the connection variables and the exit codes', async () => {
    const { stdout } = await cli(['--help']);
    for (const text of [
      'SAGAFLOW_URL',
      'SAGAFLOW_API_KEY',
      'SAGAFLOW_NAMESPACE',
      '2 usage',
      '3 a waited run',
    ]) {
      expect(stdout).toContain(text);
    }
  });
});
