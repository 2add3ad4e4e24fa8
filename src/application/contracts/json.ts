import Type from 'typebox';
import type { Json } from '../../domain/run/run-snapshot.js';

/**
 * Schemas of the contract's wire shapes (docs/contract.md#messaging, docs/events.md) are TypeBox
 * values: each is a JSON Schema (published in the AsyncAPI document, docs/contracts/asyncapi.json)
 * and, through `Static<>`, the TypeScript type of the same shape, so the two cannot drift.
 */

/** Any JSON value (task inputs and outputs are free-form). */
export const JsonValue = Type.Unsafe<Json>({ description: 'any JSON value' });

/** A run id: a UUID (docs/contract.md#runs). */
export const RunIdString = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  description: 'run id (UUID)',
});

/** An ISO-8601 UTC timestamp with milliseconds. */
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601 UTC timestamp' });

export const ExecutionKindSchema = Type.Union([Type.Literal('task'), Type.Literal('compensation')], {
  description: '`task`, or `compensation` (the undo of a completed task)',
});
