/**
 * How the orchestrator tells a poisoned result from an outage
 * (docs/contract.md#poison-messages-and-dead-letters), with an in-memory applier: no broker, no
 * database, no waiting (the retry delay is zero).
 */
import { describe, expect, it } from '@jest/globals';
import type { InboundMessage } from '../../../src/application/ports/inbound-messages.js';
import { UnprocessableMessageError } from '../../../src/application/ports/inbound-messages.js';
import type { AppLogger } from '../../../src/application/ports/logger.js';
import type { ResultMessage } from '../../../src/application/ports/messages.js';
import { ResultQuarantine, UNAPPLICABLE_RESULT } from '../../../src/interfaces/roles/result-quarantine.js';

const quiet: AppLogger = {
  debug: () => undefined,
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => quiet,
};

function completed(taskKey: string): InboundMessage<ResultMessage> {
  return {
    body: {
      runId: '00000000-0000-4000-8000-000000000001',
      taskKey,
      kind: 'task',
      attempt: 1,
      startedAt: '2026-12-06T00:00:00.000Z',
      outcome: 'completed',
      output: { ok: true },
      finishedAt: '2026-12-06T00:00:01.000Z',
    },
    headers: { 'x-run-id': '00000000-0000-4000-8000-000000000001' },
  };
}

/** An applier that refuses every result whose task key is in `poisoned`, and records the rest. */
function given(options: { poisoned: string[]; databaseAnswers?: boolean; healsAfter?: number }) {
  const applied: ResultMessage[] = [];
  let calls = 0;
  const apply = (deliveries: readonly InboundMessage<ResultMessage>[]): Promise<void> => {
    calls += 1;
    const healed = options.healsAfter !== undefined && calls > options.healsAfter;
    const bad = deliveries.find(
      (d) => d.body.outcome === 'completed' && options.poisoned.includes(d.body.taskKey),
    );
    if (bad && !healed) return Promise.reject(new Error(`trigger refused ${bad.body.taskKey}`));
    applied.push(...deliveries.map((d) => d.body));
    return Promise.resolve();
  };
  const quarantine = new ResultQuarantine(
    apply,
    () => Promise.resolve(options.databaseAnswers ?? true),
    quiet,
    { attempts: 3, delayMs: 0 },
  );
  return { quarantine, applied, calls: () => calls };
}

describe('ResultQuarantine', () => {
  it('applies a healthy batch once', async () => {
    const { quarantine, applied, calls } = given({ poisoned: [] });
    await quarantine.submit([completed('a'), completed('b')]);
    expect(applied.map((r) => r.taskKey)).toEqual(['a', 'b']);
    expect(calls()).toBe(1);
  });

  it('has a failing batch split at once instead of retrying it', async () => {
    const { quarantine, calls } = given({ poisoned: ['b'] });
    await expect(quarantine.submit([completed('a'), completed('b')])).rejects.toBeInstanceOf(
      UnprocessableMessageError,
    );
    expect(calls()).toBe(1);
  });

  it('fails the task of a single result that keeps failing, then refuses the message', async () => {
    const { quarantine, applied, calls } = given({ poisoned: ['b'] });
    const refusal = quarantine.submit([completed('b')]);
    await expect(refusal).rejects.toBeInstanceOf(UnprocessableMessageError);
    await expect(refusal).rejects.toThrow('trigger refused b');
    expect(calls()).toBe(4);
    expect(applied).toEqual([
      expect.objectContaining({
        taskKey: 'b',
        outcome: 'failed',
        error: expect.objectContaining({ code: UNAPPLICABLE_RESULT, retryable: false }),
      }),
    ]);
    const failure = applied[0];
    expect(failure?.outcome === 'failed' && failure.error.message).toContain('trigger refused b');
  });

  it('applies a single result that succeeds on a later try, without failing its task', async () => {
    const { quarantine, applied } = given({ poisoned: ['b'], healsAfter: 2 });
    await quarantine.submit([completed('b')]);
    expect(applied).toEqual([expect.objectContaining({ taskKey: 'b', outcome: 'completed' })]);
  });

  it('hands the error back unchanged while the database does not answer', async () => {
    const { quarantine, applied, calls } = given({ poisoned: ['a'], databaseAnswers: false });
    const outage = quarantine.submit([completed('a')]);
    await expect(outage).rejects.toThrow('trigger refused a');
    await expect(outage).rejects.not.toBeInstanceOf(UnprocessableMessageError);
    expect(calls()).toBe(1);
    expect(applied).toEqual([]);
  });
});
