import type { Json } from '../../../domain/run/run-snapshot.js';
import type { TaskHandler } from './task-handler.js';

/** SPEC §2 `noop`: output `{}`. */
export const noopHandler: TaskHandler<Json, Json> = async () => ({});

/** SPEC §2 `echo`: output = its resolved input. */
export const echoHandler: TaskHandler<Json, Json> = async (input) => input;
