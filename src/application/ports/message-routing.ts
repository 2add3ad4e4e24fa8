export const MESSAGE_ROUTING = Symbol('MessageRouting');

/** Where messages go; built by the messaging adapter from the AMQP prefix and shard count. */
export interface MessageRouting {
  taskExchange: string;
  resultExchange: string;
  resultRoutingKey(runId: string): string;
}

export const OUTBOX_PUBLISHER = Symbol('OutboxPublisher');

/** Publishes committed outbox rows right after commit; what it cannot publish, the relay will. */
export interface CommittedOutboxPublisher {
  publishCommitted(ids: readonly import('./run-store.js').StoredOutgoingMessage[]): void;
}
