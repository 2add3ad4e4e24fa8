import { describe, expect, it } from '@jest/globals';
import { renderRun } from '../../../../src/interfaces/cli/watch/render-run.js';
import type { RunJson, TaskJson } from '../../../../src/interfaces/cli/watch/run-json.js';
import { textWidth } from '../../../../src/interfaces/cli/watch/terminal-text.js';
import {
  at,
  compensatedRun,
  compensatingRun,
  completedRun,
  NOW,
  pendingRun,
  runningRun,
} from './run-fixtures.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
const plain = (text: string) => text.replace(ANSI, '');

const STATES: [string, RunJson][] = [
  ['pending', pendingRun],
  ['running', runningRun],
  ['completed', completedRun],
  ['compensating', compensatingRun],
  ['compensated', compensatedRun],
];

describe('renderRun frames of one run through its states', () => {
  it.each(STATES)('draws the %s run without colour', (_state, run) => {
    const frame = renderRun(run, { now: NOW, color: false });
    expect(frame).not.toContain('\u001b');
    expect(frame).toMatchSnapshot();
  });

  it.each(STATES)('draws the %s run in colour', (_state, run) => {
    const frame = renderRun(run, { now: NOW, color: true });
    expect(frame).toMatch(ANSI);
    expect(frame).toMatchSnapshot();
  });

  it('colours only: the coloured frame is the plain one with escapes added', () => {
    for (const [, run] of STATES) {
      expect(plain(renderRun(run, { now: NOW, color: true }))).toBe(
        renderRun(run, { now: NOW, color: false }),
      );
    }
  });
});

describe('renderRun content', () => {
  it('names every task of a completed run as COMPLETED, with its attempt and duration, and no compensation pass', () => {
    const frame = renderRun(completedRun, { now: NOW, color: false });
    expect(frame.split('\n')[0]).toBe(`run ${completedRun.id}  order-saga v1  COMPLETED  4.2s`);
    expect(frame).toMatch(/✓ reserve\s+COMPLETED\s+1\s+120ms/);
    expect(frame).toMatch(/✓ charge\s+COMPLETED\s+2\s+900ms\s+reserve/);
    expect(frame).toMatch(/✓ ship\s+COMPLETED\s+1\s+150ms\s+charge/);
    expect(frame).not.toContain('compensation');
  });

  it('measures a running task to `now`', () => {
    const at5 = renderRun(runningRun, { now: NOW, color: false });
    const at9 = renderRun(runningRun, { now: NOW + 4_000, color: false });
    expect(at5).toMatch(/● charge\s+RUNNING\s+2\s+2\.0s/);
    expect(at9).toMatch(/● charge\s+RUNNING\s+2\s+6\.0s/);
    // Finished tasks do not move.
    expect(at9).toMatch(/✓ reserve\s+COMPLETED\s+1\s+120ms/);
  });

  it('shows the compensation pass after the tasks, marked, with each compensation status', () => {
    const lines = renderRun(compensatedRun, { now: NOW, color: false }).split('\n');
    const pass = lines.indexOf('  compensation, in reverse order');
    expect(pass).toBeGreaterThan(lines.findIndex((line) => line.includes('– ship')));
    expect(lines.slice(pass + 1)).toEqual([
      expect.stringMatching(/^ {2}1\s+↶ reserve\s+COMPLETED\s+1\s+120ms$/),
    ]);
    expect(lines[1]).toBe('  error: charge: POST http://127.0.0.1:47/charge failed: ECONNREFUSED');
    expect(lines).toContain('           ↳ POST http://127.0.0.1:47/charge failed: ECONNREFUSED');
  });

  it('lists tasks in topological order (definition order within a level), and the pass in reverse', () => {
    const run = diamond('COMPENSATED');
    const frame = renderRun(run, { now: NOW, color: false });
    const [tasks, pass] = frame.split('compensation, in reverse order');
    expect(keysIn(tasks!)).toEqual(['a', 'c', 'b', 'd']);
    expect(keysIn(pass!)).toEqual(['d', 'c', 'b', 'a']);
    expect(tasks).toMatch(/\n {2}1\s+↶ a/);
    expect(tasks).toMatch(/\n {2}2\s+↶ c\s.*\n\s+↶ b\s/);
    expect(tasks).toMatch(/\n {2}3\s+↶ d\s+COMPENSATED\s+1\s+\S+\s+b, c/);
  });

  it('makes hostile server text printable: no escapes, no extra lines', () => {
    const run: RunJson = {
      ...compensatedRun,
      error: { taskKey: 'charge', message: 'boom\u001b[2J\u001b]0;owned\u0007\nsecond line' },
    };
    const frame = renderRun(run, { now: NOW, color: false });
    // eslint-disable-next-line no-control-regex
    expect(frame).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(frame.split('\n')[1]).toBe('  error: charge: boom\ufffd[2J\ufffd]0;owned\ufffd second line');
  });
});

describe('renderRun on a small terminal', () => {
  it('cuts every line to the width, ending cut lines with …, in colour too', () => {
    for (const color of [false, true]) {
      const lines = renderRun(compensatedRun, { now: NOW, color, width: 40 }).split('\n');
      for (const line of lines) expect(textWidth(plain(line))).toBeLessThanOrEqual(40);
      expect(plain(lines[0]!)).toBe('run 0b6f3c1e-5d2a-4c8e-9f10-2a3b4c5d6e7…');
      expect(lines.filter((line) => plain(line).endsWith('…')).length).toBeGreaterThan(2);
    }
  });

  it('keeps the moving and failed tasks of a frame taller than the terminal, and counts the rest', () => {
    const tasks: TaskJson[] = Array.from({ length: 60 }, (_, i) => ({
      ...completedRun.tasks[0]!,
      key: `t${i}`,
      dependsOn: i === 0 ? [] : [`t${i - 1}`],
      compensation: null,
    }));
    tasks[41] = { ...tasks[41]!, status: 'RUNNING', finishedAt: null };
    tasks[42] = { ...tasks[42]!, status: 'PENDING', attempts: 0, startedAt: null, finishedAt: null };
    const run: RunJson = { ...completedRun, status: 'RUNNING', finishedAt: null, tasks };
    const frame = renderRun(run, { now: NOW, color: false, maxLines: 12, notice: 'reconnecting…' });
    const lines = frame.split('\n');
    expect(lines).toHaveLength(12);
    expect(frame).toMatch(/● t41\s+RUNNING/);
    expect(lines.at(-1)).toBe('  reconnecting…');
    const shown = keysIn(frame).length;
    expect(frame).toContain(`  … ${60 - shown} more rows not shown`);
    // Drawn in place: the rows kept stay in topological order.
    expect(keysIn(frame)).toEqual([...keysIn(frame)].sort((x, y) => Number(x.slice(1)) - Number(y.slice(1))));
  });

  it('draws every task when no height is given', () => {
    const tasks = Array.from({ length: 200 }, (_, i) => ({
      ...completedRun.tasks[0]!,
      key: `k${i}`,
      dependsOn: [],
    }));
    const frame = renderRun({ ...completedRun, tasks }, { now: NOW, color: false });
    expect(keysIn(frame)).toHaveLength(200);
    expect(frame).not.toContain('not shown');
  });
});

/** The task keys of a frame's task rows, top to bottom. */
function keysIn(frame: string): string[] {
  return [...frame.matchAll(/^\s+\d*\s+[○◌●↻✓✗–⊘↶?] (\S+)/gmu)].map((match) => match[1]!);
}

/** a → b, a → c, b + c → d, defined bottom-up, every task compensated. */
function diamond(status: 'COMPENSATED'): RunJson {
  const task = (key: string, dependsOn: string[]): TaskJson => ({
    ...completedRun.tasks[0]!,
    key,
    dependsOn,
    status,
    compensation: {
      status: 'COMPLETED',
      attempts: 1,
      error: null,
      startedAt: at(4_000),
      finishedAt: at(4_100),
    },
  });
  return {
    ...completedRun,
    status: 'COMPENSATED',
    error: { taskKey: 'e', message: 'e failed' },
    tasks: [task('d', ['b', 'c']), task('c', ['a']), task('b', ['a']), task('a', [])],
  };
}
