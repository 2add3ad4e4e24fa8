import Type, { type TSchema, type TSchemaOptions } from 'typebox';
import { NAMESPACE_PATTERN } from '../../actor.js';

/**
 * Building blocks of the REST schemas (docs/contract.md#rest-api). Every schema of
 * `src/application/contracts/schemas` is a TypeBox value: a JSON Schema (2020-12, what OpenAPI 3.1
 * uses) that also gives its TypeScript type through `Static<>`.
 */

/** The issue of a body that is not an object (the `errorMessage` of every body schema's root). */
export const NOT_AN_OBJECT = 'must be a JSON object';

/** Any JSON value (a template, an input, an output): `{}`, which every JSON value matches. */
export const AnyJson = Type.Unknown({ description: 'any JSON value' });

/** `T | null`, written the OpenAPI 3.1 way (`anyOf` with `type: null`, never `nullable`). */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** The words of an issue about a value (src/application/contracts/shape-issues.ts). */
export const says = (errorMessage: string) => ({ errorMessage });

/** A namespace name (docs/contract.md#security-and-tenancy). */
export const Namespace = Type.String({
  pattern: NAMESPACE_PATTERN.source,
  description: 'the namespace it belongs to',
  examples: ['default', 'team-a'],
});

/** The `Sagaflow-Namespace` header of every guarded REST route; absent means `default`. */
export const NamespaceHeader = Type.Object({
  'Sagaflow-Namespace': Type.Optional({
    ...Namespace,
    description: 'the namespace the request acts in (`default` when absent); malformed: 400',
  }),
});

export const Timestamp = Type.String({
  format: 'date-time',
  description: 'ISO-8601 UTC with milliseconds',
  examples: ['2026-12-04T19:00:00.000Z'],
});

/** A string holding `${…}`: resolved when the task is queued (docs/templates.md). */
export const TemplateString = Type.String({
  pattern: '\\$\\{',
  description: 'a template, resolved when the task is queued (docs/templates.md)',
  examples: ['${input.ms}'],
});

/**
 * A field that may be given literally or as a template (checked when the task is queued);
 * `options` are the union's (its `errorMessage` speaks for both).
 */
export const Templated = <T extends TSchema>(schema: T, options: TSchemaOptions = {}) =>
  Type.Union([schema, TemplateString], options);

/** One invalid field of a body or parameter, by JSON path from the body root. */
export const ValidationIssue = Type.Object(
  {
    path: Type.String({ examples: ['tasks[0].retry.maxAttempts'] }),
    message: Type.String(),
  },
  { additionalProperties: false },
);

/**
 * A field with a default: optional in a request (the server fills it in), present in every
 * response. `request` carries the JSON Schema `default`; `response` is the same schema, required.
 */
export function defaulted<T extends TSchema>(make: (options: TSchemaOptions) => T, value: unknown) {
  return { request: Type.Optional(make({ default: value })), response: make({}) };
}
