import { NonRetryableError } from '../../../domain/errors/task-errors.js';
import type { Json } from '../../../domain/run/run-snapshot.js';
import { findJsonHazard, hazardText, MAX_JSON_DEPTH } from '../../../domain/shared/json-hazards.js';

/**
 * Checks that a handler's return value survives JSON as it is and returns a plain copy.
 * `JSON.stringify` alone would silently turn `NaN` into `null`, a `Map` into `{}` and drop
 * functions; a task output that changed on the way is worse than a failure. Undefined object
 * properties are dropped (as JSON does: "absent"); objects with `toJSON` (Date) use it.
 * A handler's output is deterministic for its code, so a bad one is non-retryable.
 */
export function toJsonOutput(value: unknown): Json {
  const copy = convert(value, 'output', new Set());
  // What JSON can carry but PostgreSQL cannot store (docs/security.md, "Limits and hostile
  // input") fails the attempt here, naming the rule, rather than every application of the result.
  const hazard = findJsonHazard(copy, { root: 'output' });
  if (hazard) {
    throw new NonRetryableError(
      `task handler returned an output that cannot be stored: ${hazard.path} ${hazardText(hazard)}`,
    );
  }
  return copy;
}

function convert(value: unknown, path: string, ancestors: Set<object>): Json {
  // Bounded before recursing further: a deeper value could overflow the stack here.
  if (ancestors.size >= MAX_JSON_DEPTH && typeof value === 'object' && value !== null) {
    throw new NonRetryableError(
      `task handler returned an output that cannot be stored: ${path} nests deeper than ${MAX_JSON_DEPTH} levels (max-depth)`,
    );
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value;
      throw notJson(path, String(value));
    case 'object':
      return value === null ? null : convertObject(value, path, ancestors);
    default:
      throw notJson(path, typeof value);
  }
}

function convertObject(value: object, path: string, ancestors: Set<object>): Json {
  if (ancestors.has(value)) throw notJson(path, 'a circular reference');
  const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    return convert((toJSON as () => unknown).call(value), path, ancestors);
  }
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      return value.map((item: unknown, index) => convert(item, `${path}[${index}]`, ancestors));
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw notJson(path, `an instance of ${value.constructor.name}`);
    }
    const copy: { [key: string]: Json } = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) copy[key] = convert(item, `${path}.${key}`, ancestors);
    }
    return copy;
  } finally {
    ancestors.delete(value);
  }
}

function notJson(path: string, what: string): NonRetryableError {
  return new NonRetryableError(`task handler returned a value that is not JSON: ${path} is ${what}`);
}
