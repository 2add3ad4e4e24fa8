import { setTimeout as sleep } from 'node:timers/promises';
import type { ResultMessage } from '../../application/ports/messages.js';
import { UnprocessableMessageError, type InboundMessage } from '../../application/ports/inbound-messages.js';
import type { AppLogger } from '../../application/ports/logger.js';

type Apply = (deliveries: readonly InboundMessage<ResultMessage>[]) => Promise<void>;

export interface QuarantinePolicy {
  /** Tries of one result, while the database answers, before it counts as poison. */
  readonly attempts: number;
  readonly delayMs: number;
}

export const RESULT_QUARANTINE: QuarantinePolicy = { attempts: 3, delayMs: 200 };

/** The error code of a task failed because its own result could not be applied. */
export const UNAPPLICABLE_RESULT = 'unapplicable_result';

/**
 * Tells a poisoned result from an outage (docs/contract.md#poison-messages-and-dead-letters).
 * A batch that fails while the database answers holds a result that cannot be applied: the
 * batch is split at once so the shard's other results go on. A single result that still fails
 * after a few short tries fails its task instead — a non-retryable failure the run can apply
 * (compensating as usual), with the reason — and the message itself is dead-lettered for
 * inspection. While the database does not answer, the error goes to the consumer, whose long
 * retry rides the outage out.
 */
export class ResultQuarantine {
  constructor(
    private readonly apply: Apply,
    private readonly databaseAnswers: () => Promise<boolean>,
    private readonly log: AppLogger,
    private readonly policy: QuarantinePolicy = RESULT_QUARANTINE,
  ) {}

  async submit(deliveries: readonly InboundMessage<ResultMessage>[]): Promise<void> {
    try {
      await this.apply(deliveries);
      return;
    } catch (error) {
      if (!(await this.databaseAnswers())) throw error;
      if (deliveries.length > 1) {
        throw new UnprocessableMessageError(`a result of this batch cannot be applied: ${describe(error)}`);
      }
      await this.retryAlone(deliveries[0]!, error);
    }
  }

  private async retryAlone(delivery: InboundMessage<ResultMessage>, first: unknown): Promise<void> {
    let last = first;
    for (let attempt = 2; attempt <= this.policy.attempts; attempt += 1) {
      await sleep(this.policy.delayMs * (attempt - 1));
      try {
        await this.apply([delivery]);
        return;
      } catch (error) {
        if (!(await this.databaseAnswers())) throw error;
        last = error;
      }
    }
    const result = delivery.body;
    const reason = describe(last);
    this.log.error('result cannot be applied; failing its task', {
      runId: result.runId,
      taskKey: result.taskKey,
      attempt: result.attempt,
      error: reason,
    });
    if (result.outcome !== 'started') await this.failTask(delivery, reason);
    throw new UnprocessableMessageError(`result cannot be applied: ${reason}`);
  }

  /** Best effort: if even the failure cannot be applied, the attempt's timeout ends it later. */
  private async failTask(delivery: InboundMessage<ResultMessage>, reason: string): Promise<void> {
    const { runId, taskKey, kind, attempt, startedAt } = delivery.body;
    const failure: ResultMessage = {
      runId,
      taskKey,
      kind,
      attempt,
      startedAt,
      outcome: 'failed',
      error: {
        message: `the worker's result could not be applied: ${reason}`,
        code: UNAPPLICABLE_RESULT,
        retryable: false,
      },
      finishedAt: new Date().toISOString(),
    };
    await this.apply([{ body: failure, headers: delivery.headers }]).catch((error: unknown) =>
      this.log.error('failing the task of an unapplicable result failed too', {
        runId,
        taskKey,
        error: describe(error),
      }),
    );
  }
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}
