import Type, { type Static } from 'typebox';
import { RUN_EVENT_TYPES } from '../../../domain/run/run-events.js';
import { AnyJson, Nullable, Timestamp } from './common.js';

/** The events endpoint (docs/contract.md#rest-api; the catalogue is docs/events.md). */

const MAX_SEQ = 999_999_999_999_999;
const SEQ_TEXT = '^[0-9]{1,15}$';

/**
 * A `seq` in the query string: the server reads 1–15 digits. A client may send it as a number or
 * pass `nextCursor` (a string of digits) back as it is.
 */
const SeqParam = (description: string) =>
  Type.Union([Type.Integer({ minimum: 0, maximum: MAX_SEQ }), Type.String({ pattern: SEQ_TEXT })], {
    default: 0,
    description,
  });

export const RunEventsQuery = Type.Object({
  after: Type.Optional(SeqParam('the last seq the client has; events with a greater seq are answered')),
  cursor: Type.Optional(SeqParam('the same as `after` (for clients that page every list alike)')),
  limit: Type.Optional(
    Type.Integer({ default: 100, description: 'clamped to 1…1000, never rejected', examples: [100] }),
  ),
});

export const RunEvent = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, description: 'gapless per run, from 1' }),
    type: Type.Enum(RUN_EVENT_TYPES, { type: 'string', description: 'docs/events.md' }),
    taskKey: Nullable(Type.String()),
    attempt: Nullable(Type.Integer({ minimum: 0 })),
    at: Timestamp,
    data: Type.Record(Type.String(), AnyJson),
  },
  { additionalProperties: false },
);
export type RunEvent = Static<typeof RunEvent>;

export const RunEventPage = Type.Object(
  {
    items: Type.Array(RunEvent),
    nextCursor: Nullable(
      Type.String({
        pattern: SEQ_TEXT,
        description: 'the seq of the last event of a full page, to pass as `after`; null otherwise',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RunEventPage = Static<typeof RunEventPage>;
