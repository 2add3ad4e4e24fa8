import { registerEnumType } from '@nestjs/graphql';
import { RUN_STATUSES } from '../../../domain/run/run-status.js';
import { COMPENSATION_STATUSES, TASK_STATUSES } from '../../../domain/run/task-status.js';

/** GraphQL enums with exactly the REST values, built from the domain's status lists. */
const asEnum = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const RunStatusEnum = asEnum(RUN_STATUSES);
export const TaskStatusEnum = asEnum(TASK_STATUSES);
export const CompensationStatusEnum = asEnum(COMPENSATION_STATUSES);

registerEnumType(RunStatusEnum, { name: 'RunStatus', description: 'docs/contract.md#runs run status.' });
registerEnumType(TaskStatusEnum, { name: 'TaskStatus', description: 'docs/contract.md#runs task status.' });
registerEnumType(CompensationStatusEnum, {
  name: 'CompensationStatus',
  description: "Status of a task's compensation.",
});
