import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { DefinitionRepository } from '../ports/definition-repository.js';

export type RegisteredDefinition = WorkflowDefinition & { version: number };

/**
 * Registered definitions as the engine needs them on every run start and every restore.
 * A (name, version) never changes, so it is kept forever. "The latest version of a name" can
 * change at any time, so a cached latest is only a guess: a run started from it is inserted
 * with a check that no newer version exists (StaleDefinitionError otherwise), and the caller
 * asks again with `fresh`.
 */
export class DefinitionCatalog {
  private readonly versions = new Map<string, RegisteredDefinition>();
  private readonly latestVersion = new Map<string, number>();

  constructor(private readonly repository: DefinitionRepository) {}

  async version(name: string, version: number): Promise<RegisteredDefinition | null> {
    const cached = this.versions.get(`${name}@${version}`);
    if (cached) return cached;
    const stored = await this.repository.find(name, version);
    return stored ? this.keep(stored.definition) : null;
  }

  /** The latest version; `cached` says whether it came from memory and needs the insert-time check. */
  async latest(
    name: string,
    fresh = false,
  ): Promise<{ definition: RegisteredDefinition; cached: boolean } | null> {
    const known = fresh ? undefined : this.latestVersion.get(name);
    const cached = known === undefined ? undefined : this.versions.get(`${name}@${known}`);
    if (cached) return { definition: cached, cached: true };
    const stored = await this.repository.find(name);
    if (!stored) return null;
    const definition = this.keep(stored.definition);
    this.latestVersion.set(name, definition.version);
    return { definition, cached: false };
  }

  private keep(definition: RegisteredDefinition): RegisteredDefinition {
    this.versions.set(`${definition.name}@${definition.version}`, definition);
    return definition;
  }
}
