import type { ConsumeMessage, Options } from 'amqplib';

import { headerNames } from './message-headers.js';

/** A parsed message as handlers see it. */
export interface Delivery<T> {
  body: T;
  messageId: string | undefined;
  routingKey: string;
  headers: Readonly<Record<string, unknown>>;
  priority: number | undefined;
  /** The broker delivered this message before and it was never settled. */
  redelivered: boolean;
  /** Handler failures recorded before this delivery (0 on the first); see redelivery.ts. */
  previousFailures: number;
  /** The raw message, for tracing propagation and diagnostics. Never ack it yourself. */
  message: ConsumeMessage;
}

/** Validates and narrows parsed JSON; throw to send the message to the dead-letter exchange. */
export type Decoder<T> = (value: unknown) => T;

export function headersOf(message: ConsumeMessage): Record<string, unknown> {
  return message.properties.headers ?? {};
}

export function stringProperty(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function numberHeader(headers: Record<string, unknown>, name: string): number | undefined {
  const value = headers[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Parses the body as JSON and runs the decoder; throws on either failure. */
export function decodeDelivery<T>(
  message: ConsumeMessage,
  decode: Decoder<T>,
  previousFailures: number,
): Delivery<T> {
  const parsed: unknown = JSON.parse(message.content.toString('utf8'));
  const priority: unknown = message.properties.priority;
  return {
    body: decode(parsed),
    messageId: stringProperty(message.properties.messageId),
    routingKey: message.fields.routingKey,
    headers: headersOf(message),
    priority: typeof priority === 'number' ? priority : undefined,
    redelivered: message.fields.redelivered,
    previousFailures,
    message,
  };
}

/**
 * The publish properties of a message, for re-publishing a copy of it: everything the broker
 * and consumers rely on is kept (persistence, priority, ids, trace headers), with the failure
 * count replaced.
 */
export function copyProperties(message: ConsumeMessage, failures: number): Options.Publish {
  const source = message.properties;
  const copy: Options.Publish = {
    persistent: true,
    headers: { ...headersOf(message), [headerNames.failures]: failures },
  };
  const contentType = stringProperty(source.contentType);
  if (contentType !== undefined) copy.contentType = contentType;
  const messageId = stringProperty(source.messageId);
  if (messageId !== undefined) copy.messageId = messageId;
  const correlationId = stringProperty(source.correlationId);
  if (correlationId !== undefined) copy.correlationId = correlationId;
  const priority: unknown = source.priority;
  if (typeof priority === 'number') copy.priority = priority;
  const timestamp: unknown = source.timestamp;
  if (typeof timestamp === 'number') copy.timestamp = timestamp;
  return copy;
}
