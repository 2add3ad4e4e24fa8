import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { buildProgram, cli, commandPaths } from './support/cli-harness.js';

/** `sagaflow completion bash|zsh`: scripts made from the command tree, checked against that tree. */
const program = buildProgram();
const topLevel = program.commands.map((command) => command.name());

/** Runs `script` in a non-interactive bash; resolves what it printed. */
function bash(script: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('bash', args, { input: script, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('completion bash', () => {
  it('is a bash script that parses (bash -n)', async () => {
    const { code, stdout, stderr } = await cli(['completion', 'bash']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const check = bash(stdout, '-n');
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('names every top-level command, the options and the status values', async () => {
    const { stdout } = await cli(['completion', 'bash']);
    expect(topLevel.length).toBeGreaterThan(5);
    const root = /\n {4}""\) words="([^"]*)"/.exec(stdout)?.[1]?.split(' ');
    expect(root).toEqual(expect.arrayContaining(topLevel));
    for (const word of ['--status', '--limit', '--idempotency-key', '--no-color', 'COMPENSATION_FAILED']) {
      expect(stdout).toContain(word);
    }
    expect(stdout).toContain('complete -o default -F _sagaflow sagaflow');
  });

  it('has a case for every command path of the tree', async () => {
    const { stdout } = await cli(['completion', 'bash']);
    for (const path of commandPaths(program)) expect(stdout).toContain(`    "${path.join(' ')}") words="`);
  });

  /** What the function offers for the words typed so far (the last one being completed). */
  function complete(script: string, words: string[]): string[] {
    const typed = words.map((word) => `'${word}'`).join(' ');
    const run = bash(
      `${script}\nCOMP_WORDS=(sagaflow ${typed}); COMP_CWORD=${words.length}; _sagaflow; printf '%s\\n' "\${COMPREPLY[@]}"\n`,
    );
    expect(run.stderr).toBe('');
    return run.stdout.split('\n').filter((line) => line !== '');
  }

  it('completes commands, subcommands, options and values when bash runs it', async () => {
    const { stdout: script } = await cli(['completion', 'bash']);
    expect(complete(script, [''])).toEqual(expect.arrayContaining(topLevel));
    expect(complete(script, ['ru'])).toEqual(['runs']);
    expect(complete(script, ['runs', ''])).toEqual(
      expect.arrayContaining(['list', 'show', 'start', 'cancel', 'retry', 'watch']),
    );
    expect(complete(script, ['runs', 'list', '--st'])).toEqual(['--status']);
    expect(complete(script, ['runs', 'list', '--status', 'COMP'])).toEqual([
      'COMPLETED',
      'COMPENSATING',
      'COMPENSATED',
      'COMPENSATION_FAILED',
    ]);
    expect(complete(script, ['api-keys', 'create', '--role', 'op'])).toEqual(['operator']);
    expect(complete(script, ['completion', ''])).toEqual(['bash', 'zsh']);
  });
});

describe('completion zsh', () => {
  it('starts with #compdef sagaflow and names every top-level command', async () => {
    const { code, stdout, stderr } = await cli(['completion', 'zsh']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.startsWith('#compdef sagaflow\n')).toBe(true);
    const root = /\n {4}""\) entries=\(([^\n]*)\) ;;\n/.exec(stdout)?.[1] ?? '';
    // A `name:description` entry per command.
    for (const name of topLevel) expect(root).toMatch(new RegExp(`'${name}\\\\?:`));
    expect(stdout).toContain('compadd -- bash zsh');
    expect(stdout).toContain('--status) compadd -- PENDING RUNNING COMPLETED');
  });

  it('has a case for every command path of the tree', async () => {
    const { stdout } = await cli(['completion', 'zsh']);
    for (const path of commandPaths(program)) expect(stdout).toContain(`    "${path.join(' ')}") entries=(`);
  });

  it('separates each name from its description with a plain colon, so _describe and the path walk see the name', async () => {
    const { stdout } = await cli(['completion', 'zsh']);
    expect(stdout).toContain(`'runs:start, inspect, cancel, retry and watch runs'`);
    expect(stdout).not.toMatch(/'runs\\:/);
  });

  it("quotes descriptions with ' in them as single-quoted words", async () => {
    const { stdout } = await cli(['completion', 'zsh']);
    expect(stdout).toContain(`a run'\\''s events in order`);
  });
});

describe('completion for another shell', () => {
  it.each(['fish', 'powershell', ''])('%j is a usage error (exit 2), nothing on stdout', async (shell) => {
    const result = await cli(['completion', shell]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^sagaflow: /);
  });

  it('no shell at all is a usage error', async () => {
    const result = await cli(['completion']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing required argument 'shell'");
  });
});
