import Type from 'typebox';
import { RunEventSchema } from '../../application/contracts/run-events.js';
import { TERMINAL_EVENT_STATUS } from '../../application/live/terminal-events.js';
import { Namespace } from '../../application/contracts/schemas/common.js';

/**
 * JSON Schemas of the `/ws` frames (docs/ws-protocol.md), both ways. `protocol.ts` parses client
 * frames by hand because its error replies name the exact problem; these schemas describe the
 * same shapes for clients.
 */
const RunId = Type.String({ minLength: 1 });
const Definition = Type.String({ minLength: 1, maxLength: 100 });
/** The namespace a client frame acts in; `default` when absent. */
const namespace = Type.Optional(Namespace);

export const SubscribeRunFrame = Type.Object(
  {
    type: Type.Literal('subscribe'),
    namespace,
    runId: RunId,
    after: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { title: 'SubscribeRun' },
);
export const SubscribeDefinitionFrame = Type.Object(
  { type: Type.Literal('subscribe'), namespace, definition: Definition },
  { title: 'SubscribeDefinition' },
);
export const UnsubscribeFrame = Type.Union(
  [
    Type.Object({ type: Type.Literal('unsubscribe'), namespace, runId: RunId }),
    Type.Object({ type: Type.Literal('unsubscribe'), namespace, definition: Definition }),
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
