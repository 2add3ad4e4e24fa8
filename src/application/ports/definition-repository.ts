import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';

export const DEFINITION_REPOSITORY = Symbol('DefinitionRepository');

export interface StoredDefinition {
  namespace: string;
  definition: WorkflowDefinition & { version: number };
  canonical: string;
  createdAt: Date;
}

export type RegisterOutcome =
  { outcome: 'created' | 'unchanged'; stored: StoredDefinition } | { outcome: 'conflict' };

/** Definitions belong to one namespace; their names are unique per namespace. */
export interface DefinitionRepository {
  /** Latest version when `version` is omitted. */
  find(namespace: string, name: string, version?: number): Promise<StoredDefinition | null>;
  listLatest(namespace: string): Promise<StoredDefinition[]>;
  /** docs/contract.md#workflow-definitions registration rules: identical content is a no-op, a different one a conflict or the next version. */
  register(namespace: string, definition: WorkflowDefinition, canonical: string): Promise<RegisterOutcome>;
}
