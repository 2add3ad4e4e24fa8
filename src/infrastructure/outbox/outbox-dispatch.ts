import {
  attemptAttributes,
  inSpan,
  traceAttributes as attr,
  type RunTracing,
} from '../../application/ports/run-tracing.js';
import type { StoredOutgoingMessage } from '../../application/ports/run-store.js';
import type { ConfirmPublisher, PublishItem } from '../messaging/confirm-publisher.js';
import { toPublishItem } from './outbox-sql.js';

/** Who sends a row: the process that committed it, right after commit, or the relay's sweep. */
export type OutboxSender = 'inline' | 'relay';

/**
 * Publishes outbox rows (pipelined, one outcome per row, in order). With tracing on, each row's
 * publish is a `task.dispatch` / `compensation.dispatch` span under the decision that queued it
 * (the row's `meta.traceparent`), lasting until the broker confirms; the message carries the
 * dispatch span's traceparent, so the worker's attempt continues from it.
 */
export function publishOutboxRows(
  publisher: ConfirmPublisher,
  rows: readonly StoredOutgoingMessage[],
  tracing: RunTracing,
  sender: OutboxSender,
): Promise<Array<PromiseSettledResult<void>>> {
  const items = rows.map(toPublishItem);
  if (!tracing.enabled) return publisher.publishBatchSettled(items);
  // Each publish starts synchronously inside its call, so messages still go out in row order.
  return Promise.allSettled(items.map((item, i) => dispatch(publisher, item, rows[i]!, tracing, sender)));
}

/** As publishOutboxRows, but rejects (after all settled) if any row was not confirmed. */
export async function publishOutboxRowsOrThrow(
  publisher: ConfirmPublisher,
  rows: readonly StoredOutgoingMessage[],
  tracing: RunTracing,
  sender: OutboxSender,
): Promise<void> {
  const results = await publishOutboxRows(publisher, rows, tracing, sender);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    throw new AggregateError(
      failures.map((f) => f.reason as unknown),
      `${failures.length} of ${rows.length} publishes were not confirmed`,
    );
  }
}

function dispatch(
  publisher: ConfirmPublisher,
  item: PublishItem,
  row: StoredOutgoingMessage,
  tracing: RunTracing,
  sender: OutboxSender,
): Promise<void> {
  const { meta } = row;
  const send = () => publisher.publish(item.exchange, item.routingKey, item.body, item.options);
  if (meta.traceparent === undefined) return send();
  const span = tracing.startSpan(`${meta.kind}.dispatch`, {
    parent: { traceparent: meta.traceparent },
    kind: 'producer',
    attributes: {
      ...attemptAttributes(meta),
      [attr.taskType]: row.routingKey,
      'sagaflow.outbox.sender': sender,
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'send',
      'messaging.destination.name': row.exchange,
    },
  });
  item.options = { ...item.options, traceparent: span.traceparent };
  return inSpan(span, send);
}
