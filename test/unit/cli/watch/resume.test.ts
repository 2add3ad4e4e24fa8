import { describe, expect, it } from '@jest/globals';
import {
  closeRefusal,
  DEFAULT_RECONNECT,
  errorFrameVerdict,
  EventCursor,
  reconnectDelay,
} from '../../../../src/interfaces/cli/watch/resume.js';

describe('EventCursor', () => {
  it('accepts each seq once, in order, and names duplicates and gaps', () => {
    const cursor = new EventCursor();
    expect([1, 2, 2, 1, 3].map((seq) => cursor.accept(seq))).toEqual([
      'new',
      'new',
      'duplicate',
      'duplicate',
      'new',
    ]);
    expect(cursor.accept(5)).toBe('gap');
    expect(cursor.last).toBe(3); // a gap does not move the cursor: the resubscription replays 4 and 5
    expect(cursor.accept(4)).toBe('new');
  });

  it('keeps the events of several connections once each: live, drop, replay from the cursor', () => {
    const cursor = new EventCursor();
    const seen: number[] = [];
    const afters: number[] = [];
    // Connection 1 gets 1..4 and drops; 2 replays from its `after` but the server repeats 4;
    // 3 hits a gap (6 missing) and is replaced; 4 replays 6.. and ends at 9.
    const connections = [
      [1, 2, 3, 4],
      [4, 5, 7],
      [6, 7, 8, 9],
    ];
    for (const frames of connections) {
      afters.push(cursor.last);
      for (const seq of frames) {
        const verdict = cursor.accept(seq);
        if (verdict === 'new') seen.push(seq);
        if (verdict === 'gap') break;
      }
    }
    expect(afters).toEqual([0, 4, 5]);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('starts after a given seq', () => {
    const cursor = new EventCursor(7);
    expect(cursor.accept(7)).toBe('duplicate');
    expect(cursor.accept(8)).toBe('new');
  });
});

describe('reconnectDelay', () => {
  it('doubles from the initial delay up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => reconnectDelay(n, DEFAULT_RECONNECT))).toEqual([
      250, 500, 1000, 2000, 4000, 5000, 5000, 5000,
    ]);
    expect(reconnectDelay(3, { initialDelayMs: 10, maxDelayMs: 1_000 })).toBe(80);
  });
});

describe('what a refusal means', () => {
  it('retries a failed feed set-up and reports what a retry cannot fix', () => {
    expect(errorFrameVerdict('could not subscribe to run 1')).toEqual({ retry: true });
    expect(errorFrameVerdict('unknown run 00000000-0000-4000-8000-000000000000')).toEqual({
      retry: false,
      status: 404,
    });
    expect(errorFrameVerdict('namespace "team-a" is not granted to this credential')).toEqual({
      retry: false,
      status: 403,
    });
    expect(errorFrameVerdict('ws:subscribe needs the viewer role')).toEqual({ retry: false, status: 403 });
    expect(errorFrameVerdict('not authenticated')).toEqual({ retry: false, status: 403 });
    expect(errorFrameVerdict('"after" must be a non-negative integer')).toEqual({
      retry: false,
      status: 400,
    });
  });

  it('ends the watch on 4401 only', () => {
    expect(closeRefusal(4401)).toBe(401);
    for (const code of [1000, 1001, 1006, 1011, 1013]) expect(closeRefusal(code)).toBeNull();
  });
});
