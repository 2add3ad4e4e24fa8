import Type from 'typebox';
import { AnyJson, Nullable, Timestamp } from './common.js';

/** Dead letters (docs/contract.md#dead-letters): kept, listed, shown, replayed once, deleted. */

export const DeadLetter = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    namespace: Nullable(
      Type.String({ description: 'the namespace of the run it names; null: it names no known run' }),
    ),
    queue: Type.String({
      description: 'the queue it died on; a replay publishes it there',
      examples: ['sagaflow.tasks.http'],
    }),
    reason: Type.String({
      description: 'why the broker dead-lettered it',
      examples: ['rejected by its consumer after 5 failed tries'],
    }),
    messageId: Nullable(Type.String()),
    runId: Nullable(Type.String()),
    taskKey: Nullable(Type.String()),
    attempt: Nullable(Type.Integer({ minimum: 1 })),
    deadAt: Timestamp,
    headers: Type.Record(Type.String(), AnyJson, {
      description: 'its AMQP headers, the death records included',
    }),
    bodyEncoding: Type.Union([Type.Literal('json'), Type.Literal('base64')], {
      description: "`json`: `body` is the message's JSON value; `base64`: its bytes, which are not JSON",
    }),
    body: AnyJson,
  },
  { additionalProperties: false, title: 'DeadLetter' },
);

export const DeadLetterList = Type.Object(
  {
    items: Type.Array(DeadLetter),
    nextCursor: Nullable(Type.String({ description: 'pass as `cursor` for the next page; null: no more' })),
  },
  { additionalProperties: false },
);

export const DeadLetterIdParams = Type.Object({
  id: Type.String({ format: 'uuid', description: 'an unknown, replayed, deleted or foreign id is a 404' }),
});

export const DeadLetterListQuery = Type.Object({
  queue: Type.Optional(Type.String({ description: 'only letters that died on this queue' })),
  limit: Type.Optional(
    Type.Integer({ default: 100, description: 'clamped to 1…1000, never rejected', examples: [100] }),
  ),
  cursor: Type.Optional(Type.String({ description: '`nextCursor` of the previous page' })),
});
