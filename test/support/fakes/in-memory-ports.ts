import type { WorkflowDefinition } from '../../../src/domain/definition/workflow-definition.js';
import type { Clock } from '../../../src/application/ports/clock.js';
import type {
  DefinitionRepository,
  RegisterOutcome,
  StoredDefinition,
} from '../../../src/application/ports/definition-repository.js';
import type {
  LiveEventBus,
  LiveEventBusSubscription,
} from '../../../src/application/ports/live-event-bus.js';
import type {
  CommittedOutboxPublisher,
  MessageRouting,
} from '../../../src/application/ports/message-routing.js';
import type { FeedItem } from '../../../src/application/ports/run-event-feed.js';
import type { StoredOutgoingMessage } from '../../../src/application/ports/run-store.js';
import type {
  CacheJsonLookup,
  CacheLookup,
  RunViewCache,
} from '../../../src/application/ports/run-view-cache.js';
import type { RunView } from '../../../src/application/queries/run-view.js';
import type { WorkerDirectory } from '../../../src/application/ports/worker-directory.js';

/** Time that moves only when the test says so; jitter fixed at the middle of its range. */
export class ManualClock implements Clock {
  private ms: number;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.ms = start;
  }

  now(): Date {
    return new Date(this.ms);
  }

  random(): number {
    return 0.5;
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * Registered definitions in memory, with the registration rules of the real repository; names
 * are unique per namespace.
 */
export class InMemoryDefinitions implements DefinitionRepository {
  /** Keyed by `<namespace>/<name>`. */
  private readonly byName = new Map<string, StoredDefinition[]>();

  constructor(private readonly clock: Clock) {}

  async find(namespace: string, name: string, version?: number): Promise<StoredDefinition | null> {
    const versions = this.byName.get(`${namespace}/${name}`) ?? [];
    return (
      (version === undefined ? versions.at(-1) : versions.find((v) => v.definition.version === version)) ??
      null
    );
  }

  async listLatest(namespace: string): Promise<StoredDefinition[]> {
    return [...this.byName.values()]
      .map((versions) => versions.at(-1)!)
      .filter((stored) => stored.namespace === namespace);
  }

  async register(
    namespace: string,
    definition: WorkflowDefinition,
    canonical: string,
  ): Promise<RegisterOutcome> {
    const key = `${namespace}/${definition.name}`;
    const versions = this.byName.get(key) ?? [];
    const same = versions.find((v) => v.canonical === canonical);
    if (same) return { outcome: 'unchanged', stored: same };
    const stored = {
      namespace,
      definition: { ...definition, version: versions.length + 1 },
      canonical,
      createdAt: this.clock.now(),
    };
    this.byName.set(key, [...versions, stored]);
    return { outcome: 'created', stored };
  }

  latestVersionOf(name: string, namespace = 'default'): number | null {
    return this.byName.get(`${namespace}/${name}`)?.at(-1)?.definition.version ?? null;
  }

  /** Synchronous lookup of a stored version, for InMemoryRuns. */
  versionOf(namespace: string, name: string, version: number): WorkflowDefinition | null {
    const versions = this.byName.get(`${namespace}/${name}`);
    return versions?.find((v) => v.definition.version === version)?.definition ?? null;
  }
}

/** Records what the engine hands over for publishing right after commit. */
export class RecordingPublisher implements CommittedOutboxPublisher {
  readonly published: StoredOutgoingMessage[] = [];

  publishCommitted(rows: readonly StoredOutgoingMessage[]): void {
    this.published.push(...rows);
  }

  /** Takes (and forgets) what was published since the last call. */
  take(): StoredOutgoingMessage[] {
    return this.published.splice(0);
  }
}

export const testRouting: MessageRouting = {
  taskExchange: 'test.tasks',
  resultExchange: 'test.results',
  resultRoutingKey: () => 'shard.0',
};

/**
 * The run view cache in memory, with the real one's read-your-writes rule: a commit raises the
 * run's version marker (`committed`), and a view older than the marker is not served. Keyed by
 * namespace and run id, as the real one is.
 */
export class InMemoryRunViewCache implements RunViewCache {
  private readonly views = new Map<string, { version: number; json: string }>();
  private readonly markers = new Map<string, number>();

  committed(namespace: string, runId: string, version: number): void {
    const key = `${namespace}/${runId}`;
    this.markers.set(key, Math.max(version, this.markers.get(key) ?? 0));
  }

  async lookup(namespace: string, runId: string): Promise<CacheLookup> {
    const { json, minVersion } = await this.lookupJson(namespace, runId);
    return { view: json === null ? null : (JSON.parse(json) as RunView), minVersion };
  }

  async lookupJson(namespace: string, runId: string): Promise<CacheJsonLookup> {
    const key = `${namespace}/${runId}`;
    const minVersion = this.markers.get(key) ?? 0;
    const view = this.views.get(key);
    return { json: view && view.version >= minVersion ? view.json : null, minVersion };
  }

  async store(namespace: string, runId: string, version: number, json: string): Promise<void> {
    const key = `${namespace}/${runId}`;
    const current = this.views.get(key);
    if (version >= (this.markers.get(key) ?? 0) && (!current || current.version <= version))
      this.views.set(key, { version, json });
  }
}

/** The live event bus in memory: `emit` delivers to every subscriber at once. */
export class InMemoryLiveEventBus implements LiveEventBus {
  private readonly listeners = new Set<(items: readonly FeedItem[]) => void>();

  async subscribe(listener: (items: readonly FeedItem[]) => void): Promise<LiveEventBusSubscription> {
    this.listeners.add(listener);
    return { unsubscribe: async () => void this.listeners.delete(listener) };
  }

  emit(items: readonly FeedItem[]): void {
    for (const listener of this.listeners) listener(items);
  }
}

/** Worker announcements in memory, aged by a ManualClock like the real table by `now()`. */
export class InMemoryWorkerDirectory implements WorkerDirectory {
  private readonly seen = new Map<string, { types: readonly string[]; at: number }>();
  /** Set to make every read fail, as when PostgreSQL is unreachable. */
  failure: Error | null = null;

  constructor(
    private readonly clock: Clock,
    readonly liveWindowMs = 30_000,
  ) {}

  async announce(workerId: string, types: readonly string[]): Promise<void> {
    this.seen.set(workerId, { types: [...types], at: this.clock.now().getTime() });
  }

  async withdraw(workerId: string): Promise<void> {
    this.seen.delete(workerId);
  }

  async servedTypes(withinMs: number): Promise<ReadonlySet<string>> {
    if (this.failure) throw this.failure;
    const since = this.clock.now().getTime() - withinMs;
    return new Set([...this.seen.values()].filter((w) => w.at > since).flatMap((w) => w.types));
  }
}
