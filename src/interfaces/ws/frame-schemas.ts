import Type from 'typebox';
import { RunEventSchema } from '../../application/contracts/run-events.js';
import { TERMINAL_EVENT_STATUS } from '../../application/live/terminal-events.js';
import { Namespace } from '../../application/contracts/schemas/common.js';

/**
 * JSON Schemas of the `/ws` frames (docs/ws-protocol.md), both ways. `protocol.ts` parses client
 * frames by hand because its error replies are the documented words of docs/ws-protocol.md;
 * a property test (test/unit/contracts/ws-frame-schemas.test.ts) holds its verdicts to these
 * schemas.
 */
const RunId = Type.String({ minLength: 1 });
const Definition = Type.String({ minLength: 1, maxLength: 100 });
/** The namespace a client frame acts in; `default` when absent. */
const namespace = Type.Optional(Namespace);
/** A field the frame must not carry beside the one that names its target. */
const absent = Type.Optional(Type.Never({ description: 'not allowed in this frame' }));

export const SubscribeRunFrame = Type.Object(
  {
    type: Type.Literal('subscribe'),
    namespace,
    runId: RunId,
    definition: absent,
    after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  },
  { title: 'SubscribeRun' },
);
export const SubscribeDefinitionFrame = Type.Object(
  { type: Type.Literal('subscribe'), namespace, definition: Definition, runId: absent, after: absent },
  { title: 'SubscribeDefinition' },
);
export const UnsubscribeFrame = Type.Union(
  [
    Type.Object({ type: Type.Literal('unsubscribe'), namespace, runId: RunId, definition: absent }),
    Type.Object({ type: Type.Literal('unsubscribe'), namespace, definition: Definition, runId: absent }),
  ],
  { title: 'Unsubscribe' },
);
export const ClientFrameSchema = Type.Union([SubscribeRunFrame, SubscribeDefinitionFrame, UnsubscribeFrame], {
  $id: 'WsClientFrame',
  title: 'WsClientFrame',
});

const target = (type: 'subscribed' | 'unsubscribed', title: string) =>
  Type.Union(
    [
      Type.Object({ type: Type.Literal(type), runId: RunId }),
      Type.Object({ type: Type.Literal(type), definition: Definition }),
    ],
    { title },
  );

export const SubscribedFrame = target('subscribed', 'Subscribed');
export const UnsubscribedFrame = target('unsubscribed', 'Unsubscribed');
export const EventFrame = Type.Object(
  { type: Type.Literal('event'), runId: RunId, event: RunEventSchema },
  { title: 'Event' },
);
export const EndFrame = Type.Object(
  {
    type: Type.Literal('end'),
    runId: RunId,
    seq: Type.Integer({ minimum: 1, description: "the terminal event's seq" }),
    status: Type.Union(
      [...new Set(Object.values(TERMINAL_EVENT_STATUS))].map((s) => Type.Literal(s)),
      { description: 'the status the terminal event leaves the run in' },
    ),
  },
  { title: 'End' },
);
export const ErrorFrame = Type.Object(
  {
    type: Type.Literal('error'),
    message: Type.String(),
    runId: Type.Optional(RunId),
    definition: Type.Optional(Definition),
  },
  { title: 'Error' },
);
export const ServerFrameSchema = Type.Union(
  [SubscribedFrame, UnsubscribedFrame, EventFrame, EndFrame, ErrorFrame],
  { $id: 'WsServerFrame', title: 'WsServerFrame' },
);
