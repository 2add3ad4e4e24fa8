import type { TaskDefinition } from '../definition/workflow-definition.js';
import type { TemplateContext } from '../definition/template.js';
import type { DecisionContext, Dispatch, RunEvent, RunEventType } from './run-events.js';
import type { TaskRunSnapshot } from './run-snapshot.js';
import type { TaskStatus } from './task-status.js';

/**
 * What the attempt mechanics need from their run; the aggregate implements it. It lives on its
 * own so the attempt modules can depend on it without depending on one another or on the run.
 */
export interface RunHost {
  taskAt(i: number): { task: TaskRunSnapshot; definition: TaskDefinition };
  touch(i: number): void;
  isAcceptingWork(): boolean;
  templateContext(task?: { key: string; attempt: number }): TemplateContext;
  setTaskStatus(i: number, to: TaskStatus): void;
  dispatch(d: Dispatch): void;
  record(
    ctx: DecisionContext,
    type: RunEventType,
    taskKey: string | null,
    attempt: number | null,
    data: RunEvent['data'],
  ): void;
}
