import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { DefinitionRepository } from '../ports/definition-repository.js';

export type RegisteredDefinition = WorkflowDefinition & { version: number };

/**
 * Registered definitions as the engine needs them on every run start and every restore.
 * A (name, version) never changes, so it is kept forever. "The latest version of a name" can
 * change at any time, so a cached latest is only a guess: a run started from it is inserted
 * with a check that no newer version exists (StaleDefinitionError otherwise), and the caller
 * asks again with `fresh`. Keys hold the namespace: names are unique per namespace only.
 */
export class DefinitionCatalog {
  private readonly versions = new Map<string, RegisteredDefinition>();
  private readonly latestVersion = new Map<string, number>();

  constructor(private readonly repository: DefinitionRepository) {}

  async version(namespace: string, name: string, version: number): Promise<RegisteredDefinition | null> {
    const cached = this.versions.get(versionKey(namespace, name, version));
    if (cached) return cached;
    const stored = await this.repository.find(namespace, name, version);
    return stored ? this.keep(namespace, stored.definition) : null;
  }

  /** The latest version; `cached` says whether it came from memory and needs the insert-time check. */
  async latest(
    namespace: string,
    name: string,
    fresh = false,
  ): Promise<{ definition: RegisteredDefinition; cached: boolean } | null> {
    const nameKey = `${namespace}/${name}`;
    const known = fresh ? undefined : this.latestVersion.get(nameKey);
    const cached = known === undefined ? undefined : this.versions.get(versionKey(namespace, name, known));
    if (cached) return { definition: cached, cached: true };
    const stored = await this.repository.find(namespace, name);
    if (!stored) return null;
    const definition = this.keep(namespace, stored.definition);
    this.latestVersion.set(nameKey, definition.version);
    return { definition, cached: false };
  }

  private keep(namespace: string, definition: RegisteredDefinition): RegisteredDefinition {
    this.versions.set(versionKey(namespace, definition.name, definition.version), definition);
    return definition;
  }
}

/** Namespace names hold no `/`, so the key is unambiguous whatever the definition's name. */
const versionKey = (namespace: string, name: string, version: number) => `${namespace}/${version}@${name}`;
