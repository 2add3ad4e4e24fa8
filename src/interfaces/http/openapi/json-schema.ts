import type { TSchema } from 'typebox';

/** A JSON Schema as it appears in the document: plain JSON, no TypeBox hidden keys. */
export type JsonSchema = { [key: string]: unknown };

/**
 * Turns a TypeBox schema into the JSON of the OpenAPI 3.1 document. With `components`, any
 * sub-schema that is one of them (the same object) becomes a `$ref`; without, everything is
 * inline. `Type.Record(String, X)` (`patternProperties: { "^.*$": X }`) is written the usual
 * way, `additionalProperties: X`, and an `errorMessage` annotation as `x-error-message`.
 */
export function toJsonSchema(schema: TSchema, components?: ReadonlyMap<object, string>): JsonSchema {
  return emit(schema, components, true) as JsonSchema;
}

/** The same, except that a schema which is itself a component is written as its `$ref`. */
export function toJsonSchemaRef(schema: TSchema, components: ReadonlyMap<object, string>): JsonSchema {
  return emit(schema, components, false) as JsonSchema;
}

function emit(node: unknown, components: ReadonlyMap<object, string> | undefined, root: boolean): unknown {
  if (Array.isArray(node)) return node.map((item) => emit(item, components, false));
  if (node === null || typeof node !== 'object') return node;
  const name = root ? undefined : components?.get(node);
  if (name !== undefined) return { $ref: `#/components/schemas/${name}` };
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'errorMessage') {
      // The issue a bad value gets (src/application/contracts/shape-issues.ts), as an extension.
      out['x-error-message'] = value;
    } else if (key === 'patternProperties' && isAnyKey(value)) {
      out.additionalProperties = emit(value['^.*$'], components, false);
    } else if (SCHEMA_MAPS.has(key) && value !== null && typeof value === 'object') {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([name, schema]) => [
          name,
          emit(schema, components, false),
        ]),
      );
    } else {
      // `default`, `examples`, `const` and `enum` hold values, not schemas: copied as they are.
      out[key] = VALUE_KEYS.has(key) ? structuredClone(value) : emit(value, components, false);
    }
  }
  return out;
}

const VALUE_KEYS = new Set(['default', 'examples', 'const', 'enum']);
/** Keywords whose value maps names to schemas (a property named `default` is still a schema). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);

function isAnyKey(value: unknown): value is { '^.*$': unknown } {
  return value !== null && typeof value === 'object' && Object.keys(value).length === 1 && '^.*$' in value;
}
