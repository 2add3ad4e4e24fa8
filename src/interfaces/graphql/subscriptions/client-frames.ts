import { MessageType } from 'graphql-ws';

/** Frames only a server sends; graphql-ws's server throws on them and closes with 4500. */
const SERVER_ONLY: ReadonlySet<unknown> = new Set([
  MessageType.ConnectionAck,
  MessageType.Next,
  MessageType.Error,
]);

/**
 * A `JSON.parse` reviver for graphql-ws frames (`jsonMessageReviver`): a client frame of a
 * type only the server sends (`connection_ack`, `next`, `error`) throws while it is parsed, so
 * graphql-ws closes the socket with 4400 Bad Request, the protocol's refusal, where its message
 * switch would end in 4500 Internal Server Error (docs/contract.md#live-progress).
 * The whole frame is the value of the empty key, the last one revived; an object under an
 * empty key inside a payload is read the same way, which only ever refuses a frame.
 */
export function refuseServerFrames(key: string, value: unknown): unknown {
  if (
    key === '' &&
    typeof value === 'object' &&
    value !== null &&
    SERVER_ONLY.has((value as { type?: unknown }).type)
  ) {
    throw new Error(`a client may not send ${String((value as { type: unknown }).type)} frames`);
  }
  return value;
}
