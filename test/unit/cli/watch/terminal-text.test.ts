import { describe, expect, it } from '@jest/globals';
import {
  formatDuration,
  padEnd,
  printable,
  span,
  takeColumns,
  textWidth,
} from '../../../../src/interfaces/cli/watch/terminal-text.js';

describe('terminal text', () => {
  it('formats durations as people read them', () => {
    expect(
      [0, 7, 999, 1_000, 2_449, 59_999, 60_000, 245_000, 3_600_000, 3_720_000, -5].map(formatDuration),
    ).toEqual(['0ms', '7ms', '999ms', '1.0s', '2.4s', '59.9s', '1m00s', '4m05s', '1h00m', '1h02m', '0ms']);
  });

  it('measures spans to `now` while open, and none before a start', () => {
    const now = Date.parse('2026-12-04T19:00:10.000Z');
    expect(span('2026-12-04T19:00:00.000Z', '2026-12-04T19:00:01.500Z', now)).toBe(1_500);
    expect(span('2026-12-04T19:00:00.000Z', null, now)).toBe(10_000);
    expect(span(null, null, now)).toBeNull();
    expect(span('not a time', null, now)).toBeNull();
  });

  it('counts wide characters as two columns and marks as none', () => {
    expect(textWidth('abc')).toBe(3);
    expect(textWidth('日本')).toBe(4);
    expect(textWidth('e\u0301')).toBe(1);
    expect(textWidth('🚀')).toBe(2);
    expect(takeColumns('日本語', 5)).toBe('日本');
    expect(takeColumns('ab🚀c', 3)).toBe('ab');
    expect(padEnd('日', 4)).toBe('日  ');
  });

  it('replaces control characters and puts line breaks on one line', () => {
    expect(printable('a\tb\r\nc\u001b[0m\u0007\u2028d')).toBe('a b  c\ufffd[0m\ufffd\ufffdd');
  });
});
