import { OutboxRelay } from '../../infrastructure/outbox/outbox-relay.js';
import type { SagaflowRuntime } from '../../infrastructure/runtime/sagaflow-runtime.js';

/** The relay role: publishes outbox rows their committing process left behind. */
export function createRelay(runtime: SagaflowRuntime): OutboxRelay {
  const relayLog = runtime.logger.child({ component: 'relay' });
  return new OutboxRelay(
    {
      databaseUrl: runtime.config.databaseUrl,
      // With inline publishing the committer normally sends its rows within milliseconds.
      minAgeMs: runtime.config.inlinePublish ? 5_000 : 0,
      sweepIntervalMs: runtime.config.inlinePublish ? 2_000 : 1_000,
      batchSize: 500,
      onPublished: (count) => runtime.metrics.outbox.relayPublished(count),
    },
    (work) => runtime.transaction(work),
    runtime.publisher,
    (rows) => runtime.prepareOutbox(rows),
    (error) => relayLog.error('outbox relay failed', { error: String(error) }),
    runtime.tracing,
  );
}
