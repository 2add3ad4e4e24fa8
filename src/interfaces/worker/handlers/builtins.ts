import type { Json } from '../../../domain/run/run-snapshot.js';
import { defineHandler } from '../define-handler.js';
import type { HttpHandler } from './http.js';

/**
 * The contract's worker built-ins (docs/contract.md#workflow-definitions), written with the SDK
 * like any user handler (docs/worker-sdk.md).
 */

/** `noop`: output `{}`. */
export const noopHandler = defineHandler('noop', async () => ({}));

/** `echo`: output = its resolved input. */
export const echoHandler = defineHandler('echo', async (input: Json) => input);

/** `http`: one request through the address check and per-host breakers of `createHttpHandler`. */
export const httpHandler = (http: HttpHandler) => defineHandler('http', http.handle);
