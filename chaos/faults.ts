/**
 * The chaos faults (docs/failure-modes.md#the-chaos-harness). Each fault breaks one thing, holds
 * it broken for a random while and repairs it before it resolves; the schedule runs them one
 * after another in a seeded random order, every kind at least once.
 */
import type { BrokerCluster } from './broker-cluster.js';
import type { ChaosNamespace } from './netns.js';
import type { RoleProcess } from './roles.js';
import { diskAlarm, postgres, rabbitmq, redis } from './services.js';

/** A small seeded PRNG (mulberry32), so that a failing schedule can be run again with CHAOS_SEED. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultContext {
  random: () => number;
  processes: RoleProcess[];
  /** Workers in this network namespace (frozen ones are chosen among these). */
  workers: RoleProcess[];
  /** The namespace whose worker loses the broker; null when none could be made. */
  namespace: ChaosNamespace | null;
  /** The 3-node cluster the processes use, or null for the machine's own RabbitMQ node. */
  cluster: BrokerCluster | null;
  log: (line: string) => void;
}

export interface Fault {
  name: string;
  run(ctx: FaultContext): Promise<string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (random: () => number, low: number, high: number) =>
  Math.round(low + random() * (high - low));
/** Fisher–Yates over the seeded generator. */
export function shuffle<T>(random: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** A service down for 3–10 s: stopped, and started again whatever happens meanwhile. */
function outage(name: string, service: { stop(): void; start(): Promise<void> }): Fault {
  return {
    name,
    async run({ random }) {
      const down = between(random, 3_000, 10_000);
      try {
        service.stop();
        await sleep(down);
      } finally {
        await service.start();
      }
      return `down for ${down} ms`;
    },
  };
}

const brokerRestart = outage('RabbitMQ stop and start', rabbitmq);

const brokerNodeKill: Fault = {
  name: 'kill -9 of one RabbitMQ cluster node',
  async run({ random, cluster }) {
    const node = pick(random, cluster!.nodes);
    const down = between(random, 5_000, 15_000);
    try {
      cluster!.killNode(node);
      await sleep(down);
    } finally {
      await cluster!.startNode(node);
      await cluster!.awaitRunning(cluster!.nodes.length);
    }
    return `${node.name} killed, back after ${down} ms`;
  },
};

const COMMON_FAULTS: Fault[] = [
  {
    name: 'kill -9 of a role process',
    async run({ random, processes }) {
      const victim = pick(
        random,
        processes.filter((p) => p.alive && !p.frozen),
      );
      await victim.kill9();
      const down = between(random, 500, 4_000);
      await sleep(down);
      await victim.restart();
      return `${victim.spec.name} killed, restarted after ${down} ms`;
    },
  },
  {
    name: 'RabbitMQ disk alarm (publishers blocked)',
    async run({ random, cluster }) {
      // An alarm on one node blocks publishers on every node of its cluster.
      const node = cluster?.nodes[0]!.name;
      const limit = diskAlarm.limit(node);
      const blocked = between(random, 3_000, 10_000);
      try {
        diskAlarm.raise(node);
        await sleep(blocked);
      } finally {
        diskAlarm.clear(limit, node);
      }
      return `${node ?? 'rabbit@localhost'} refused publishes for ${blocked} ms`;
    },
  },
  outage('PostgreSQL immediate stop and restart', postgres),
  outage('Redis down', redis),
  {
    name: 'worker frozen past its timeout (SIGSTOP)',
    async run({ random, workers }) {
      const victim = pick(
        random,
        workers.filter((p) => p.alive && !p.frozen),
      );
      victim.freeze();
      // Past the tasks' 2 s timeout and past two AMQP heartbeats (5 s): the broker hands its
      // deliveries to another worker, and whatever it reports on waking is late.
      const frozen = between(random, 12_000, 20_000);
      try {
        await sleep(frozen);
      } finally {
        victim.thaw();
      }
      return `${victim.spec.name} frozen for ${frozen} ms`;
    },
  },
  {
    name: 'network cut to the broker',
    async run({ random, namespace }) {
      if (namespace === null) throw new Error('no network namespace: run as root with iproute2');
      namespace.cutBroker();
      const cut = between(random, 8_000, 20_000);
      try {
        await sleep(cut);
      } finally {
        namespace.healBroker();
      }
      return `the namespaced worker's broker traffic dropped for ${cut} ms`;
    },
  },
];

/** The faults of a run on the machine's RabbitMQ node, or on a cluster (a node killed instead of the broker stopped). */
export function faultsFor(cluster: boolean): Fault[] {
  return [cluster ? brokerNodeKill : brokerRestart, ...COMMON_FAULTS];
}

/**
 * Runs faults until `seconds` have passed: a shuffled round of every kind, then more rounds,
 * with a random pause between faults. Resolves with the time the last fault was repaired.
 */
export async function runSchedule(
  ctx: FaultContext,
  seconds: number,
  faults: readonly Fault[],
): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let lastRepaired = Date.now();
  let round = 0;
  while (round === 0 || Date.now() < end) {
    const order = shuffle(ctx.random, faults);
    for (const fault of order) {
      if (round > 0 && Date.now() >= end) break;
      await sleep(between(ctx.random, 1_000, 4_000));
      const began = Date.now();
      const what = await fault.run(ctx);
      lastRepaired = Date.now();
      ctx.log(`fault: ${fault.name}: ${what} (${((lastRepaired - began) / 1000).toFixed(1)} s)`);
    }
    round += 1;
  }
  return lastRepaired;
}
