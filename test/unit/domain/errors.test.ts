import { describe, expect, it } from '@jest/globals';

import {
  MAX_FAILURE_MESSAGE_LENGTH,
  NonRetryableError,
  RetryAfterError,
  RetryableError,
  TaskTimeoutError,
  isTaskFailureError,
  toWorkerFailure,
} from '../../../src/domain/errors/task-errors.js';

describe('toWorkerFailure', () => {
  it('maps each class of the taxonomy to its code and retry decision', () => {
    expect(toWorkerFailure(new RetryableError('flaky'))).toEqual({
      message: 'flaky',
      code: 'retryable',
      retryable: true,
    });
    expect(toWorkerFailure(new NonRetryableError('bad input'))).toEqual({
      message: 'bad input',
      code: 'non_retryable',
      retryable: false,
    });
    expect(toWorkerFailure(new RetryAfterError(1500, 'slow down'))).toEqual({
      message: 'slow down',
      code: 'retry_after',
      retryable: true,
      retryAfterMs: 1500,
    });
    expect(toWorkerFailure(new TaskTimeoutError(300))).toEqual({
      message: 'task timed out after 300 ms',
      code: 'timeout',
      retryable: true,
    });
  });

  it('treats unknown errors and non-errors as retryable and keeps the message', () => {
    expect(toWorkerFailure(new TypeError('boom'))).toEqual({
      message: 'boom',
      code: 'retryable',
      retryable: true,
    });
    expect(toWorkerFailure('plain string')).toMatchObject({ message: 'plain string', retryable: true });
    expect(toWorkerFailure({ reason: 1 }).message).toContain('{"reason":1}');
    expect(toWorkerFailure(undefined)).toMatchObject({ code: 'retryable', retryable: true });
  });

  it('bounds very long messages', () => {
    const failure = toWorkerFailure(new NonRetryableError('x'.repeat(MAX_FAILURE_MESSAGE_LENGTH * 3)));
    expect(failure.message.length).toBe(MAX_FAILURE_MESSAGE_LENGTH);
    expect(failure.retryable).toBe(false);
  });

  it('recognises errors of another copy of the package by their brand', () => {
    const foreign = new Error('from another copy') as Error & Record<PropertyKey, unknown>;
    foreign[Symbol.for('sagaflow.task-failure')] = true;
    foreign.code = 'non_retryable';
    foreign.retryable = false;
    expect(isTaskFailureError(foreign)).toBe(true);
    expect(toWorkerFailure(foreign)).toEqual({
      message: 'from another copy',
      code: 'non_retryable',
      retryable: false,
    });
  });
});

describe('error classes', () => {
  it('keep the retry-after and timeout in whole, non-negative milliseconds', () => {
    expect(new RetryAfterError(10.2).retryAfterMs).toBe(11);
    expect(new RetryAfterError(-5).retryAfterMs).toBe(0);
    expect(() => new RetryAfterError(Number.NaN)).toThrow(RangeError);
    expect(new TaskTimeoutError(50).timeoutMs).toBe(50);
  });

  it('form a hierarchy in which retry-after and timeout are retryable', () => {
    expect(new RetryAfterError(1)).toBeInstanceOf(RetryableError);
    expect(new TaskTimeoutError(1)).toBeInstanceOf(RetryableError);
    expect(new NonRetryableError('x')).not.toBeInstanceOf(RetryableError);
    expect(new NonRetryableError('x')).toBeInstanceOf(Error);
    expect(new NonRetryableError('x').name).toBe('NonRetryableError');
  });
});
