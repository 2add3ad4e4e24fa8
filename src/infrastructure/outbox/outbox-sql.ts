import { sql, type Kysely } from 'kysely';
import type { StoredOutgoingMessage } from '../../application/ports/run-store.js';
import type { PublishItem } from '../messaging/confirm-publisher.js';

export type Db = Kysely<unknown>;

/** Channel the relay LISTENs on; woken only off the hot path (docs/architecture.md#transactional-outbox). */
export const OUTBOX_CHANNEL = 'sagaflow_outbox';

interface OutboxRow {
  id: string;
  exchange: string;
  routing_key: string;
  message_id: string;
  meta: StoredOutgoingMessage['meta'];
  body: StoredOutgoingMessage['body'];
  priority: number | null;
}

export async function deleteOutbox(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`delete from outbox where id = any(${[...ids]}::bigint[])`.execute(db);
}

export async function notifyRelay(db: Db): Promise<void> {
  await sql`select pg_notify(${OUTBOX_CHANNEL}, '')`.execute(db);
}

/** Claims unsent rows older than `minAgeMs` for this transaction; other relays skip them. */
export async function claimOutbox(db: Db, minAgeMs: number, limit: number): Promise<StoredOutgoingMessage[]> {
  const rows =
    await sql<OutboxRow>`select id, exchange, routing_key, message_id, meta, body, priority from outbox
    where created_at <= now() - make_interval(secs => ${minAgeMs / 1000})
    order by id limit ${limit} for update skip locked`.execute(db);
  return rows.rows.map((r) => ({
    id: String(r.id),
    exchange: r.exchange,
    routingKey: r.routing_key,
    messageId: r.message_id,
    meta: r.meta,
    body: r.body,
    priority: r.priority,
  }));
}

/** The publisher turns the row's meta into the AMQP headers of docs/contract.md#messaging (message-headers.ts). */
export function toPublishItem(m: StoredOutgoingMessage): PublishItem {
  return {
    exchange: m.exchange,
    routingKey: m.routingKey,
    body: m.body as object,
    options: {
      ...m.meta,
      messageId: m.messageId,
      ...(m.priority !== null ? { priority: m.priority } : {}),
    },
  };
}
