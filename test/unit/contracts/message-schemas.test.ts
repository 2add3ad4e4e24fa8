import { describe, expect, it } from '@jest/globals';
import Compile from 'typebox/compile';
import { TaskMessageSchema } from '../../../src/application/contracts/messages/task-message.js';
import { ResultMessageSchema } from '../../../src/application/contracts/messages/result-message.js';
import { dispatchMessage, isResultMessage } from '../../../src/application/engine/task-dispatch.js';
import { TaskExecutor } from '../../../src/interfaces/worker/task-executor.js';
import { HandlerRegistry, NonRetryableError } from '../../../src/interfaces/worker/index.js';
import type { TaskMessage } from '../../../src/application/ports/messages.js';

const RUN = '0b7c6a52-2f7e-4d47-9a55-0f3c1d2e4b6a';
const routing = {
  taskExchange: 'sagaflow.tasks',
  resultExchange: 'sagaflow.results',
  resultRoutingKey: () => 'shard.0',
};
const taskMessage = Compile(TaskMessageSchema);
const resultMessage = Compile(ResultMessageSchema);

/** The task message the outbox row of a decided attempt carries. */
function realTaskMessage(): TaskMessage {
  const row = dispatchMessage(
    RUN,
    {
      taskKey: 'charge',
      kind: 'task',
      attempt: 2,
      type: 'echo',
      input: { amount: 3 },
      idempotencyKey: `${RUN}:charge`,
      timeoutMs: 15000,
      priority: 7,
      queuedAt: new Date('2026-12-04T19:00:00.123Z'),
    },
    routing,
  );
  return row.body as TaskMessage;
}

describe('AMQP message schemas (docs/contract.md#messaging)', () => {
  it('accept the task message the orchestrator publishes, and reject a broken one', () => {
    const message = realTaskMessage();
    expect(taskMessage.Errors(message)).toEqual([]);
    expect(taskMessage.Check({ ...message, kind: 'undo' })).toBe(false);
    expect(taskMessage.Check({ ...message, attempt: 0 })).toBe(false);
  });

  it('accept the results a worker reports, completed and failed', async () => {
    const registry = new HandlerRegistry()
      .register('echo', async (input) => input)
      .register('boom', async () => {
        throw new NonRetryableError('no');
      });
    const executor = new TaskExecutor({ registry });
    const completed = await executor.execute(realTaskMessage());
    const failed = await executor.execute({ ...realTaskMessage(), type: 'boom' });
    for (const result of [completed, failed]) {
      expect(resultMessage.Errors(result)).toEqual([]);
      expect(isResultMessage(result)).toBe(true);
    }
    expect(failed).toMatchObject({ outcome: 'failed', error: { retryable: false } });
    expect(isResultMessage({ ...completed, runId: 'not-a-uuid' })).toBe(false);
    expect(isResultMessage({ ...failed, error: { message: 'x' } })).toBe(false);
  });
});
