/**
 * The REST shapes (docs/contract.md#rest-api) as TypeBox schemas: request bodies, parameters and
 * responses. The OpenAPI document is built from them (`../openapi`); `Compile(schema)` from
 * `typebox/compile` checks a value's shape against any of them.
 */
export * from './common.js';
export * from './definitions.js';
export * from './health.js';
export * from './problem.js';
export * from './run-events.js';
export * from './runs.js';
export * from './api-keys.js';
export * from './dead-letters.js';
export * from './task-parts.js';
