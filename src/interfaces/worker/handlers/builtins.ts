import type { Json } from '../../../domain/run/run-snapshot.js';
import type { TaskHandler } from './task-handler.js';

/** docs/contract.md#workflow-definitions `noop`: output `{}`. */
export const noopHandler: TaskHandler<Json, Json> = async () => ({});

/** docs/contract.md#workflow-definitions `echo`: output = its resolved input. */
export const echoHandler: TaskHandler<Json, Json> = async (input) => input;
