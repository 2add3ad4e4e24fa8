import { finished } from '../../support/finished-result.js';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { TaskMessage } from '../../../src/application/ports/messages.js';
import { NonRetryableError } from '../../../src/domain/errors/task-errors.js';
import type { Json } from '../../../src/domain/run/run-snapshot.js';
import { createLogger } from '../../../src/infrastructure/logging/create-logger.js';
import { PinoAppLogger } from '../../../src/infrastructure/logging/pino-app-logger.js';
import { logAttempt } from '../../../src/interfaces/worker/attempt-log.js';
import { createHttpHandler } from '../../../src/interfaces/worker/handlers/http.js';
import type { TaskHandler } from '../../../src/interfaces/worker/handlers/task-handler.js';
import { TaskExecutor } from '../../../src/interfaces/worker/task-executor.js';
import { captureLines } from './capture.js';

const SECRET = 'tok-7f3a-s3cret';
const http = createHttpHandler({ allow: '127.0.0.1' });
afterAll(() => http.close());

const handlers: Record<string, TaskHandler<Json, unknown>> = {
  echo: async (input) => ({ echoed: input }),
  refuse: async () => {
    throw new NonRetryableError('card declined');
  },
  http: http.handle,
};
const executor = new TaskExecutor({ registry: { get: (type) => handlers[type] } });

function message(type: string, input: Json, attempt = 1): TaskMessage {
  return {
    runId: 'run-1',
    taskKey: 'charge',
    kind: 'task',
    attempt,
    type,
    input,
    idempotencyKey: 'run-1:charge',
    timeoutMs: 5_000,
    priority: 0,
    queuedAt: new Date().toISOString(),
  };
}

async function attempt(task: TaskMessage, level = 'debug') {
  const { destination, lines } = captureLines();
  const logger = new PinoAppLogger(createLogger({ level, traceCorrelation: false, destination }));
  logAttempt(logger, task, finished(await executor.execute(task)));
  return lines;
}

describe('the worker’s attempt line', () => {
  it('is info for a completed attempt, with the fields that find it and none of the data', async () => {
    const lines = await attempt(message('echo', { card: SECRET }));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'task attempt completed',
        run_id: 'run-1',
        task_key: 'charge',
        attempt: 1,
        kind: 'task',
        task_type: 'echo',
        outcome: 'completed',
        duration_ms: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });

  it('is warn for a failed attempt, with the failure', async () => {
    const lines = await attempt(message('refuse', { card: SECRET }, 3));
    expect(lines[0]).toMatchObject({
      level: 'warn',
      msg: 'task attempt failed',
      attempt: 3,
      outcome: 'failed',
      error: 'card declined',
      error_code: 'non_retryable',
      retryable: false,
    });
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });

  it('is left out above info, while failures still show at warn', async () => {
    expect(await attempt(message('echo', {}), 'warn')).toEqual([]);
    expect(await attempt(message('refuse', {}), 'warn')).toHaveLength(1);
  });

  it('names an http task’s URL without its query string', async () => {
    // Port 9 (discard) on loopback: refused at once, a retryable network failure.
    const refused = await attempt(
      message('http', { method: 'POST', url: `http://127.0.0.1:9/charge?token=${SECRET}` }),
    );
    expect(refused[0]).toMatchObject({
      level: 'warn',
      error: expect.stringContaining('POST http://127.0.0.1:9/charge'),
    });
    const relative = await attempt(message('http', { method: 'GET', url: `/charge?token=${SECRET}` }));
    expect(relative[0]).toMatchObject({ error: 'http input.url is not an absolute URL: "/charge"' });
    expect(JSON.stringify([...refused, ...relative])).not.toContain(SECRET);
  });
});
