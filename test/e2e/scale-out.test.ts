/**
 * Scale-out end to end (docs/contract.md#processes-and-roles: no role may keep state that breaks as N instances).
 *
 * 1. Two processes run relay + orchestrator and divide the result shards through
 *    `shard_leases`; two processes run workers on the same task queues. Once the shards are
 *    divided, 200 runs: every run ends as designed, each result applied exactly once, seq
 *    gapless; both orchestrators held shards during the run and both workers executed tasks.
 * 2. While runs are flowing, the first two orchestrators freeze (SIGSTOP, a long GC pause)
 *    past the lease TTL and a third one starts and takes their shards over; when they wake up
 *    they must give the shards up (cancelling consumers with a backlog of results in them), and
 *    the three divide the shards. Same invariants, and afterwards all three hold shards.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { createApp, type SagaflowApp } from '../../src/app/create-app.js';
import { cleanup, eventually, isolatedConfig } from '../integration/support/harness.js';
import {
  ensureBuilt,
  FIXTURES,
  killAll,
  openDb,
  readExecutions,
  runStatusCounts,
  SagaflowChild,
  shardLeases,
  sleep,
  terminalCount,
  type ChildSpec,
} from './support/processes.js';
import {
  describeStuck,
  registerDefinition,
  runViolations,
  sagaDefinition,
  sagaInput,
  startRun,
  type SagaInput,
} from './support/run-checks.js';

const RUNS = 200;
/** Hand-over test: stop submitting here even if the third orchestrator never got a shard. */
const MAX_RUNS = 3_000;
const SUBMITTERS = 4;
const TASK_TYPES = ['noop', 'echo', 'http', 'slow'];
const ORCHESTRATORS = ['e2e-scale-orch-1', 'e2e-scale-orch-2'];
const THIRD_ORCHESTRATOR = 'e2e-scale-orch-3';
const WORKERS = ['e2e-scale-worker-1', 'e2e-scale-worker-2'];

const config = { ...isolatedConfig('e2e_scale'), shardCount: 8 };
const executionLog = join(tmpdir(), `${config.amqpPrefix}.executions.log`);
const children: SagaflowChild[] = [];
let app: SagaflowApp | null = null;
let db: pg.Client | null = null;
let stuck: (() => Promise<string>) | null = null;

function spec(instanceId: string): ChildSpec {
  const worker = WORKERS.includes(instanceId);
  return {
    name: instanceId,
    roles: worker ? ['worker'] : ['relay', 'orchestrator'],
    config,
    instanceId,
    handlers: worker ? [join(FIXTURES, 'slow-handlers.mjs')] : [],
    env: { SAGAFLOW_E2E_LOG: executionLog },
  };
}

beforeAll(async () => {
  ensureBuilt();
  // The test's own process: no roles, just the command and query buses (and the migration).
  app = await createApp({ ...config, roles: new Set([]) });
  db = await openDb(config);
}, 120_000);

afterAll(async () => {
  await sampler.stop();
  if (stuck) console.error(`runs did not all finish:\n${await stuck().catch((e: unknown) => String(e))}`);
  await killAll(children);
  await db?.end().catch(() => undefined);
  await cleanup(app, config, TASK_TYPES);
  rmSync(executionLog, { force: true });
}, 60_000);

/** Samples `shard_leases` every 50 ms: who held shards, and the history of assignments. */
class LeaseSampler {
  readonly owners = new Set<string>();
  readonly history: string[] = [];
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const leases = await shardLeases(db!);
        const snapshot = JSON.stringify(Object.fromEntries(leases));
        if (this.history.at(-1) !== snapshot) this.history.push(snapshot);
        for (const owner of leases.values()) this.owners.add(owner);
        await sleep(50);
      }
    })().catch((error: unknown) => {
      if (this.running) throw error; // after the test, a closed client is expected
    });
  }

  /** Owners per shard count of the latest sample, e.g. { orch-1: 4, orch-2: 4 }. */
  latest(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const owner of Object.values(JSON.parse(this.history.at(-1) ?? '{}') as Record<string, string>)) {
      counts[owner] = (counts[owner] ?? 0) + 1;
    }
    return counts;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
const sampler = new LeaseSampler();

type Runs = { id: string; input: SagaInput }[];

/** Starts runs of `definition` from SUBMITTERS loops at once while `more(submitted)` holds. */
async function submitWhile(definition: string, runs: Runs, more: (submitted: number) => boolean) {
  let next = 0;
  const submitter = async () => {
    while (more(next)) {
      const input = sagaInput(next++);
      runs.push({ id: await startRun(app!, { definition, input }), input });
    }
  };
  await Promise.all(Array.from({ length: SUBMITTERS }, submitter));
}

/**
 * Waits until every run of `definition` is terminal. Meanwhile `stuck` describes the
 * installation for a failure report, printed by afterAll if the jest timeout ends the wait.
 */
async function awaitAllTerminal(definition: string, count: number): Promise<void> {
  stuck = () =>
    describeStuck(app!, db!, config, children, definition, [`lease history: ${sampler.history.join(' → ')}`]);
  await eventually(
    () => terminalCount(db!, definition),
    (n) => n === count,
    100,
  );
  stuck = null;
}

/** Handler executions per worker name (by pid), over the given runs. */
function executionsPerWorker(runs: Runs): Map<string, number> {
  const ids = new Set(runs.map((r) => r.id));
  const names = new Map(
    children.filter((c) => WORKERS.includes(c.spec.name)).map((c) => [c.pid, c.spec.name]),
  );
  const perWorker = new Map<string, number>();
  for (const x of readExecutions(executionLog)) {
    if (!ids.has(x.runId)) continue;
    const name = names.get(x.pid) ?? `unknown pid ${x.pid}`;
    perWorker.set(name, (perWorker.get(name) ?? 0) + 1);
  }
  return perWorker;
}

async function expectDesigned(definition: string, runs: Runs): Promise<number> {
  expect(await runViolations(app!, runs, readExecutions(executionLog))).toEqual([]);
  const designed = runs.filter((r) => r.input.d === 'fail').length;
  expect(Object.fromEntries(await runStatusCounts(db!, definition))).toEqual({
    COMPENSATED: designed,
    COMPLETED: runs.length - designed,
  });
  return designed;
}

describe('two orchestrators and two workers', () => {
  it('share the shards and the tasks, and apply every result exactly once', async () => {
    const definition = 'e2e-scale-saga';
    await registerDefinition(app!, sagaDefinition(definition));
    sampler.start();
    await Promise.all([...ORCHESTRATORS, ...WORKERS].map((id) => SagaflowChild.start(spec(id), children)));
    // Readiness of the cluster: the orchestrators have divided the shards between them.
    await eventually(
      async () => sampler.latest(),
      (owners) => ORCHESTRATORS.every((id) => owners[id] === config.shardCount / ORCHESTRATORS.length),
      100,
    );

    sampler.owners.clear();
    const runs: Runs = [];
    await submitWhile(definition, runs, (submitted) => submitted < RUNS);
    await awaitAllTerminal(definition, runs.length);
    const designed = await expectDesigned(definition, runs);

    // Both orchestrators held shards during the run, and nobody else did.
    expect([...sampler.owners].sort()).toEqual(ORCHESTRATORS);
    // Both workers executed tasks, and only workers did.
    const perWorker = executionsPerWorker(runs);
    expect([...perWorker.keys()].sort()).toEqual(WORKERS);
    console.log(
      `scale-out: ${runs.length} runs (${designed} compensated); handler executions per worker ` +
        `${JSON.stringify(Object.fromEntries(perWorker))}`,
    );
  }, 120_000);

  it('orchestrators paused past their leases hand shards over under load without losing or repeating a result', async () => {
    // The two orchestrators of the previous test hand shards to the newcomer while results
    // are flowing: each cancels the consumer of a shard it gives up, with a backlog in it.
    const definition = 'e2e-scale-handover';
    await registerDefinition(app!, sagaDefinition(definition));
    const runs: Runs = [];
    const submitting = submitWhile(
      definition,
      runs,
      (submitted) => submitted < MAX_RUNS && (submitted < RUNS || !sampler.owners.has(THIRD_ORCHESTRATOR)),
    );
    // Once runs are flowing (some finished, more in flight and being submitted), the first two
    // freeze (SIGSTOP, as in a long GC pause) past the lease TTL while the third starts: it
    // takes their expired leases over, and results pile up in the shards the frozen two still
    // consume (single-active-consumer keeps them active). When they wake up, they must give
    // every shard up — cancelling consumers with a backlog of results in them — and the three
    // then divide the shards.
    await eventually(
      () => terminalCount(db!, definition),
      (n) => n >= 20,
      10,
    );
    const firstTwo = children.filter((c) => ORCHESTRATORS.includes(c.spec.name));
    for (const child of firstTwo) child.pause();
    try {
      await SagaflowChild.start(spec(THIRD_ORCHESTRATOR), children);
      await eventually(
        async () => sampler.latest(),
        (owners) => owners[THIRD_ORCHESTRATOR] === config.shardCount,
        100,
      );
    } finally {
      for (const child of firstTwo) child.resume();
    }
    await submitting;
    await awaitAllTerminal(definition, runs.length);
    await expectDesigned(definition, runs);
    expect(sampler.owners.has(THIRD_ORCHESTRATOR)).toBe(true);
    // The first two kept some shards: the hand-over divided them, nobody lost them all.
    const all = [...ORCHESTRATORS, THIRD_ORCHESTRATOR];
    stuck = async () =>
      `the three orchestrators never all held shards; lease history: ${sampler.history.join(' → ')}`;
    await eventually(
      async () => sampler.latest(),
      (owners) => all.every((id) => (owners[id] ?? 0) > 0),
      100,
    );
    stuck = null;
    console.log(`scale-out hand-over: ${runs.length} runs; lease history ${sampler.history.join(' → ')}`);
  }, 120_000);
});
