/**
 * Wire contracts between the orchestrator and workers (docs/contract.md#messaging). Both sides are in this
 * codebase; the shapes are the TypeBox schemas of src/application/contracts/messages (published
 * in docs/contracts/asyncapi.json), and these types are their `Static<>`.
 */
import type { Static } from 'typebox';
import type { ExecutionKindSchema } from '../contracts/json.js';

export type { TaskMessage } from '../contracts/messages/task-message.js';
export type { ResultMessage, WorkerFailure } from '../contracts/messages/result-message.js';

export type ExecutionKind = Static<typeof ExecutionKindSchema>;
