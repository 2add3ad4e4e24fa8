import type { TSchema } from 'typebox';
import { ValidationIssue } from '../../../application/contracts/schemas/common.js';
import {
  CompensationDefinition,
  Definition,
  DefinitionList,
  ExecutionPlan,
  TaskDefinition,
  ValidationReport,
} from '../../../application/contracts/schemas/definitions.js';
import { DelayInput, HttpInput, RetryPolicy } from '../../../application/contracts/schemas/task-parts.js';
import { ApiKey, ApiKeyList, CreatedApiKey } from '../../../application/contracts/schemas/api-keys.js';
import { Health, HealthIndicator } from '../../../application/contracts/schemas/health.js';
import { Problem } from '../../../application/contracts/schemas/problem.js';
import { RunEvent, RunEventPage } from '../../../application/contracts/schemas/run-events.js';
import {
  CompensationRun,
  CompensationStatus,
  InlineDefinitionRef,
  RegisteredDefinitionRef,
  Run,
  RunError,
  RunList,
  RunStatus,
  RunSummary,
  TaskError,
  TaskRun,
  TaskStatus,
} from '../../../application/contracts/schemas/runs.js';

/**
 * The response schemas named in `components.schemas`: wherever one of them appears in a
 * response it is written as a `$ref`, so generated clients get these names.
 *
 * Request bodies and parameters are written inline instead. openapi-typescript makes a
 * property with a `default` required everywhere except under a request body or a parameter,
 * which is right for responses (the server fills defaults in) and wrong for requests.
 */
export const RESPONSE_COMPONENTS: Record<string, TSchema> = {
  Problem,
  ValidationIssue,
  Definition,
  DefinitionList,
  TaskDefinition,
  CompensationDefinition,
  RetryPolicy,
  DelayInput,
  HttpInput,
  ValidationReport,
  ExecutionPlan,
  Run,
  RunSummary,
  RunList,
  TaskRun,
  CompensationRun,
  RunError,
  TaskError,
  RegisteredDefinitionRef,
  InlineDefinitionRef,
  RunStatus,
  TaskStatus,
  CompensationStatus,
  RunEvent,
  RunEventPage,
  ApiKey,
  CreatedApiKey,
  ApiKeyList,
  Health,
  HealthIndicator,
};
