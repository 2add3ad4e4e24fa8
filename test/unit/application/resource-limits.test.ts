/** The resource limits of docs/security.md#limits-and-hostile-input, as pure rules. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { PayloadTooLargeError } from '../../../src/application/errors.js';
import type { ResultMessage } from '../../../src/application/ports/messages.js';
import {
  jsonBytes,
  limitResultOutput,
  refuseLargeInput,
  taskCountIssue,
  type ResourceLimits,
} from '../../../src/application/resource-limits.js';
import type { Json } from '../../../src/domain/run/run-snapshot.js';
import { loadConfig } from '../../../src/infrastructure/config/app-config.js';
import { ConfigError } from '../../../src/infrastructure/config/config-variables.js';

const limits: ResourceLimits = { maxTasks: 2, maxPayloadBytes: 64 };

const completed = (output: Json): Extract<ResultMessage, { outcome: 'completed' }> => ({
  runId: '00000000-0000-4000-8000-000000000001',
  taskKey: 'a',
  kind: 'task',
  attempt: 2,
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:01.000Z',
  outcome: 'completed',
  output,
});

describe('task outputs', () => {
  it('pass unchanged up to the limit and fail, naming it, past it — never cut', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const output = value as Json;
        const message = completed(output);
        const limited = limitResultOutput(message, limits);
        if (jsonBytes(output) <= limits.maxPayloadBytes) {
          expect(limited).toBe(message);
          return;
        }
        expect(limited).toEqual({
          runId: message.runId,
          taskKey: 'a',
          kind: 'task',
          attempt: 2,
          startedAt: message.startedAt,
          finishedAt: message.finishedAt,
          outcome: 'failed',
          error: {
            code: 'payload_too_large',
            retryable: false,
            message: `task output is ${jsonBytes(output)} bytes, over SAGAFLOW_MAX_PAYLOAD_BYTES (64)`,
          },
        });
      }),
    );
  });

  it('count bytes of UTF-8, not characters', () => {
    expect(jsonBytes('é'.repeat(31))).toBe(64);
    expect(limitResultOutput(completed('é'.repeat(31)), limits).outcome).toBe('completed');
    expect(limitResultOutput(completed('é'.repeat(32)), limits).outcome).toBe('failed');
  });
});

describe('run inputs and task counts', () => {
  it('refuse an input over the limit and a definition over the task count', () => {
    expect(() => refuseLargeInput({ blob: 'x'.repeat(64) }, limits)).toThrow(PayloadTooLargeError);
    expect(() => refuseLargeInput({ blob: 'x'.repeat(50) }, limits)).not.toThrow();
    const task = { key: 'a', type: 'noop' } as never;
    expect(taskCountIssue({ tasks: [task, task] }, limits)).toBeNull();
    expect(taskCountIssue({ tasks: [task, task, task] }, limits, 'definition.tasks')).toEqual({
      path: 'definition.tasks',
      message: 'has 3 tasks, over SAGAFLOW_MAX_TASKS (2)',
    });
  });
});

describe('SAGAFLOW_MAX_TASKS and SAGAFLOW_MAX_PAYLOAD_BYTES', () => {
  it('default to 10,000 tasks and 1 MiB', () => {
    expect(loadConfig({}).limits).toEqual({ maxTasks: 10_000, maxPayloadBytes: 1_048_576 });
    expect(loadConfig({ SAGAFLOW_MAX_TASKS: '50', SAGAFLOW_MAX_PAYLOAD_BYTES: '2048' }).limits).toEqual({
      maxTasks: 50,
      maxPayloadBytes: 2048,
    });
  });

  it.each([
    ['SAGAFLOW_MAX_TASKS', '0'],
    ['SAGAFLOW_MAX_TASKS', '10001'],
    ['SAGAFLOW_MAX_TASKS', '1e3'],
    ['SAGAFLOW_MAX_PAYLOAD_BYTES', '100'],
    ['SAGAFLOW_MAX_PAYLOAD_BYTES', 'lots'],
  ])('refuse %s=%s, naming the variable', (variable, value) => {
    const attempt = () => loadConfig({ [variable]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^${variable}: expected a whole number`));
  });
});

describe('SAGAFLOW_MAX_BACKLOG', () => {
  it('defaults to 5,000 messages; 0 turns admission control off', () => {
    expect(loadConfig({}).maxBacklog).toBe(5_000);
    expect(loadConfig({ SAGAFLOW_MAX_BACKLOG: '0' }).maxBacklog).toBe(0);
    expect(loadConfig({ SAGAFLOW_MAX_BACKLOG: '250' }).maxBacklog).toBe(250);
  });

  it.each(['-1', 'many', '1.5'])('refuses SAGAFLOW_MAX_BACKLOG=%s, naming the variable', (value) => {
    expect(() => loadConfig({ SAGAFLOW_MAX_BACKLOG: value })).toThrow(
      /^SAGAFLOW_MAX_BACKLOG: expected a whole number/,
    );
  });
});
