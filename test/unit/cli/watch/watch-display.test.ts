import { describe, expect, it } from '@jest/globals';
import { HIDE_CURSOR, SHOW_CURSOR } from '../../../../src/interfaces/cli/watch/ansi.js';
import { renderRun } from '../../../../src/interfaces/cli/watch/render-run.js';
import { createDisplay } from '../../../../src/interfaces/cli/watch/watch-display.js';
import { Capture } from './capture.js';
import {
  compensatedRun,
  compensationEvents,
  completedRun,
  NOW,
  pendingRun,
  runningRun,
} from './run-fixtures.js';

const clock = () => NOW;
// Far beyond any test: the tick never fires, so every write comes from what the test does.
const tickMs = 3_600_000;

describe('on a terminal', () => {
  it('draws the first frame, then redraws it in place over exactly its lines', async () => {
    const out = new Capture(true, 100, 40);
    const display = createDisplay({ out, color: true, json: false, initial: pendingRun, clock, tickMs });
    expect(display.live).toBe(true);
    const first = renderRun(pendingRun, { now: NOW, color: true, width: 99, maxLines: 39 });
    expect(out.chunks).toEqual([`${HIDE_CURSOR}\r\u001b[J${first}\n`]);

    display.snapshot(runningRun);
    const second = renderRun(runningRun, { now: NOW, color: true, width: 99, maxLines: 39 });
    expect(out.chunks[1]).toBe(`\u001b[${first.split('\n').length}A\r\u001b[J${second}\n`);

    display.notice('connection lost; reconnecting…');
    expect(out.chunks[2]).toMatch(new RegExp(`^\\u001b\\[${second.split('\n').length}A`));
    expect(out.chunks[2]).toContain('connection lost; reconnecting…');

    await display.finish(completedRun, completedRun);
    const last = out.chunks.at(-1)!;
    expect(last).toContain(renderRun(completedRun, { now: NOW, color: true, width: 99 }));
    expect(last).not.toContain('reconnecting');
    expect(last.endsWith(`\n${SHOW_CURSOR}`)).toBe(true);
    const writes = out.chunks.length;
    display.close();
    expect(out.chunks).toHaveLength(writes); // the cursor is already back
  });

  it('keeps a frame within the terminal while live, and draws the final one whole', async () => {
    const out = new Capture(true, 80, 8);
    const display = createDisplay({ out, color: false, json: false, initial: compensatedRun, clock, tickMs });
    expect(out.chunks[0]!.split('\n').length - 1).toBeLessThanOrEqual(7);
    await display.finish(compensatedRun, compensatedRun);
    expect(out.chunks.at(-1)).toContain(renderRun(compensatedRun, { now: NOW, color: false, width: 79 }));
  });

  it('gives the cursor back when closed before the end (an error, an abort)', () => {
    const out = new Capture(true, 80, 24);
    const display = createDisplay({ out, color: false, json: false, initial: runningRun, clock, tickMs });
    display.close();
    expect(out.chunks.at(-1)).toBe(SHOW_CURSOR);
  });
});

describe('not on a terminal', () => {
  it('prints a line per event and the final frame, with no escape even when colour is asked for', async () => {
    const out = new Capture(false);
    const display = createDisplay({ out, color: true, json: false, initial: pendingRun, clock, tickMs });
    expect(display.live).toBe(false);
    for (const event of compensationEvents.slice(0, 4)) display.event(event);
    display.snapshot(runningRun);
    display.notice('connection lost');
    await display.finish(compensatedRun, compensatedRun);
    display.close();
    expect(out.text).toBe(
      [
        '2026-12-04T19:00:00.100Z  run      RUNNING  order-saga v1',
        '2026-12-04T19:00:00.200Z  reserve  QUEUED  attempt 1',
        '2026-12-04T19:00:00.300Z  reserve  RUNNING  attempt 1',
        '2026-12-04T19:00:00.400Z  reserve  COMPLETED  attempt 1',
        '',
        renderRun(compensatedRun, { now: NOW, color: false }),
        '',
      ].join('\n'),
    );
    expect(out.text).not.toContain('\u001b');
  });
});

describe('--json', () => {
  it('prints nothing while watching, then the run exactly as it was read', async () => {
    const out = new Capture(true, 80, 24);
    const display = createDisplay({ out, color: true, json: true, initial: pendingRun, clock, tickMs });
    for (const event of compensationEvents) display.event(event);
    display.snapshot(runningRun);
    display.notice('connection lost');
    expect(out.chunks).toEqual([]);
    const raw = { ...compensatedRun, extra: 'kept as the API sent it' };
    await display.finish(compensatedRun, raw);
    display.close();
    expect(out.chunks).toHaveLength(1);
    expect(JSON.parse(out.text)).toEqual(raw);
  });
});
