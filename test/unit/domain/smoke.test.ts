import { describe, expect, it } from '@jest/globals';
import { validateDefinition } from '../../../src/domain/definition/definition-validator.js';
import { WorkflowRun } from '../../../src/domain/run/workflow-run.js';

const ctx = (ms = 0) => ({ now: new Date(1_700_000_000_000 + ms), random: () => 0.5 });

describe('smoke', () => {
  it('runs a saga that compensates', () => {
    const v = validateDefinition({
      name: 'order',
      tasks: [
        { key: 'reserve', type: 'noop', compensation: { type: 'noop' } },
        {
          key: 'charge',
          type: 'http',
          dependsOn: ['reserve'],
          retry: { maxAttempts: 2, initialIntervalMs: 10 },
          input: {
            method: 'POST',
            url: 'http://127.0.0.1:1/charge',
            body: { r: '${tasks.reserve.output.id}' },
          },
        },
        { key: 'ship', type: 'noop', dependsOn: ['charge'], compensation: { type: 'noop' } },
      ],
    });
    if (!v.valid) throw new Error(JSON.stringify(v.errors));
    const run = WorkflowRun.create(
      {
        id: 'r1',
        definition: v.definition,
        namespace: 'default',
        definitionRef: { name: 'order', version: 1, inline: false },
        input: {},
        priority: null,
        idempotencyKey: null,
        requestHash: null,
      },
      ctx(),
    );
    let ch = run.pullChanges();
    expect(ch.dispatches.map((d) => d.taskKey)).toEqual(['reserve']);
    run.applyOutcome(
      {
        taskKey: 'reserve',
        kind: 'task',
        attempt: 1,
        outcome: 'completed',
        output: { id: 7 },
        startedAt: ctx(1).now,
        finishedAt: ctx(2).now,
      },
      ctx(3),
    );
    ch = run.pullChanges();
    expect(ch.dispatches[0]?.input).toEqual({
      method: 'POST',
      url: 'http://127.0.0.1:1/charge',
      body: { r: 7 },
    });
    const fail = { message: 'ECONNREFUSED', retryable: true };
    run.applyOutcome(
      {
        taskKey: 'charge',
        kind: 'task',
        attempt: 1,
        outcome: 'failed',
        error: fail,
        startedAt: ctx(4).now,
        finishedAt: ctx(5).now,
      },
      ctx(6),
    );
    expect(run.nextTimerAt()).toEqual(ctx(16).now);
    run.fireDueTimers(ctx(20));
    ch = run.pullChanges();
    expect(ch.dispatches.map((d) => [d.taskKey, d.attempt])).toEqual([['charge', 2]]);
    run.applyOutcome(
      {
        taskKey: 'charge',
        kind: 'task',
        attempt: 2,
        outcome: 'failed',
        error: fail,
        startedAt: ctx(21).now,
        finishedAt: ctx(22).now,
      },
      ctx(23),
    );
    expect(run.status).toBe('COMPENSATING');
    ch = run.pullChanges();
    expect(ch.dispatches.map((d) => [d.taskKey, d.kind, d.idempotencyKey])).toEqual([
      ['reserve', 'compensation', 'r1:reserve:compensate'],
    ]);
    run.applyOutcome(
      {
        taskKey: 'reserve',
        kind: 'compensation',
        attempt: 1,
        outcome: 'completed',
        output: {},
        startedAt: ctx(24).now,
        finishedAt: ctx(25).now,
      },
      ctx(26),
    );
    expect(run.status).toBe('COMPENSATED');
    const snap = run.snapshot();
    expect(snap.tasks.map((t) => t.status)).toEqual(['COMPENSATED', 'FAILED', 'SKIPPED']);
    expect(snap.lastSeq).toBeGreaterThan(10);
  });
});
