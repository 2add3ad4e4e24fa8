import { describe, expect, it } from '@jest/globals';
import { describeEvent, formatChange } from '../../../../src/interfaces/cli/watch/event-lines.js';
import { compensationEvents, event } from './run-fixtures.js';

const line = (e: Parameters<typeof describeEvent>[0], columns = 7) => formatChange(describeEvent(e), columns);

describe('a line per change', () => {
  it('tells the saga of docs/events.md event by event', () => {
    expect(compensationEvents.map((e) => line(e))).toEqual([
      '2026-12-04T19:00:00.100Z  run      RUNNING  order-saga v1',
      '2026-12-04T19:00:00.200Z  reserve  QUEUED  attempt 1',
      '2026-12-04T19:00:00.300Z  reserve  RUNNING  attempt 1',
      '2026-12-04T19:00:00.400Z  reserve  COMPLETED  attempt 1',
      '2026-12-04T19:00:00.500Z  charge   QUEUED  attempt 1',
      '2026-12-04T19:00:00.600Z  charge   RUNNING  attempt 1',
      '2026-12-04T19:00:00.700Z  charge   attempt 1 failed, will retry: ECONNREFUSED',
      '2026-12-04T19:00:00.800Z  charge   RETRYING  attempt 2 in 100ms',
      '2026-12-04T19:00:00.900Z  charge   FAILED  attempt 2  ECONNREFUSED',
      '2026-12-04T19:00:01.000Z  ship     SKIPPED',
      '2026-12-04T19:00:01.100Z  reserve  compensation  QUEUED  attempt 1',
      '2026-12-04T19:00:01.200Z  reserve  compensation  RUNNING  attempt 1',
      '2026-12-04T19:00:01.300Z  reserve  compensation  attempt 1 failed, will retry: stock service busy',
      '2026-12-04T19:00:01.400Z  reserve  compensation  RETRYING  attempt 2 in 1.5s',
      '2026-12-04T19:00:01.500Z  reserve  compensation  QUEUED  attempt 2',
      '2026-12-04T19:00:01.600Z  reserve  compensation  COMPLETED  attempt 2',
      '2026-12-04T19:00:01.700Z  run      COMPENSATED  charge: ECONNREFUSED',
    ]);
  });

  it('describes cancels, retries and the other run endings', () => {
    expect(line(event(5, 'RunCancelRequested', null, null, { reason: 'operator' }))).toBe(
      '2026-12-04T19:00:00.500Z  run      CANCELLING  reason: operator',
    );
    expect(line(event(6, 'TaskCancelled', 'charge', 2))).toBe(
      '2026-12-04T19:00:00.600Z  charge   CANCELLED  attempt 2',
    );
    expect(line(event(7, 'RunCancelled', null, null))).toBe('2026-12-04T19:00:00.700Z  run      CANCELLED');
    expect(line(event(8, 'RunRetried', null, null, { from: 'COMPENSATION_FAILED' }))).toBe(
      '2026-12-04T19:00:00.800Z  run      COMPENSATING  retried from COMPENSATION_FAILED',
    );
    expect(
      line(
        event(9, 'RunFailed', null, null, { error: { taskKey: null, message: 'output did not resolve' } }),
      ),
    ).toBe('2026-12-04T19:00:00.900Z  run      FAILED  output did not resolve');
    expect(
      line(event(10, 'CompensationFailed', 'reserve', 3, { final: true, error: { message: 'gone' } })),
    ).toBe('2026-12-04T19:00:01.000Z  reserve  compensation  FAILED  attempt 3  gone');
    expect(line(event(11, 'RunStarted', null, null, { definition: 'adhoc', version: null }))).toBe(
      '2026-12-04T19:00:01.100Z  run      RUNNING  adhoc inline',
    );
  });

  it('prints an event type it does not know under its subject, without a status', () => {
    expect(describeEvent(event(3, 'TaskTeleported', 'x', 1))).toMatchObject({ subject: 'x', status: null });
    expect(line(event(3, 'TaskTeleported', 'x', 1), 0)).toBe('2026-12-04T19:00:00.300Z  x  attempt 1');
  });

  it('keeps a hostile message on one line without control characters', () => {
    const hostile = event(4, 'TaskFailed', 'charge', 1, {
      final: true,
      error: { message: 'bad\u001b[31m\r\nnews\u009b' },
    });
    expect(line(hostile)).toBe(
      '2026-12-04T19:00:00.400Z  charge   FAILED  attempt 1  bad\ufffd[31m  news\ufffd',
    );
  });
});
