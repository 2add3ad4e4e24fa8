import type { StoredOutgoingMessage } from './run-store.js';

/** Where messages go; built by the messaging adapter from the AMQP prefix and shard count. */
export interface MessageRouting {
  taskExchange: string;
  resultExchange: string;
  resultRoutingKey(runId: string): string;
}

/** Publishes committed outbox rows right after commit; what it cannot publish, the relay will. */
export interface CommittedOutboxPublisher {
  publishCommitted(rows: readonly StoredOutgoingMessage[]): void;
}
