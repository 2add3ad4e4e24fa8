/**
 * A 3-node RabbitMQ cluster on this machine for `npm run chaos -- --cluster`
 * (docs/operations.md#rabbitmq-clusters): three more nodes of the installed RabbitMQ, each with
 * its own node name, AMQP and distribution ports, data directory, empty plugin list and a
 * config that listens on loopback only, joined into one cluster. The machine's own node
 * (rabbit@localhost) is not touched. The fault kills one node with SIGKILL and starts it again.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ClusterNode {
  name: string;
  amqpPort: number;
  dir: string;
}

function ctl(node: string, args: string[], timeoutMs = 60_000): boolean {
  return (
    spawnSync('rabbitmqctl', ['-n', node, '-q', ...args], { stdio: 'ignore', timeout: timeoutMs }).status ===
    0
  );
}

export class BrokerCluster {
  private constructor(
    readonly nodes: ClusterNode[],
    private readonly root: string,
  ) {}

  /** `amqp://…` for every node, comma-separated: what AMQP_URL takes for a cluster. */
  amqpUrls(query = ''): string {
    return this.nodes.map((n) => `amqp://guest:guest@127.0.0.1:${n.amqpPort}/${query}`).join(',');
  }

  static async create(tag: string, basePort = 5681): Promise<BrokerCluster> {
    const root = `/tmp/sfchaos-cluster-${tag}`;
    const nodes = [0, 1, 2].map((i) => ({
      name: `sfchaos${i + 1}@localhost`,
      amqpPort: basePort + i,
      dir: join(root, `n${i + 1}`),
    }));
    const cluster = new BrokerCluster(nodes, root);
    for (const node of nodes) {
      mkdirSync(node.dir, { recursive: true });
      writeFileSync(join(node.dir, 'enabled_plugins'), '[].\n');
      writeFileSync(join(node.dir, 'rabbitmq.conf'), `listeners.tcp.1 = 127.0.0.1:${node.amqpPort}\n`);
    }
    // The server scripts run as the rabbitmq user (Debian's wrapper): it must own the directories.
    execFileSync('chown', ['-R', 'rabbitmq', root]);
    await Promise.all(nodes.map((node) => cluster.startNode(node)));
    const [first, ...others] = nodes;
    for (const node of others) {
      if (
        !ctl(node.name, ['stop_app']) ||
        !ctl(node.name, ['join_cluster', first!.name]) ||
        !ctl(node.name, ['start_app'])
      ) {
        throw new Error(`${node.name} could not join ${first!.name}`);
      }
    }
    await cluster.awaitRunning(3);
    return cluster;
  }

  private env(node: ClusterNode): NodeJS.ProcessEnv {
    return {
      ...process.env,
      RABBITMQ_NODENAME: node.name,
      RABBITMQ_NODE_PORT: String(node.amqpPort),
      RABBITMQ_DIST_PORT: String(node.amqpPort + 20_000),
      RABBITMQ_CONFIG_FILE: join(node.dir, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(node.dir, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(node.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(node.dir, 'log'),
      RABBITMQ_PID_FILE: join(node.dir, 'pid'),
    };
  }

  async startNode(node: ClusterNode): Promise<void> {
    if (!ctl(node.name, ['status'], 15_000)) {
      spawnSync('rabbitmq-server', ['-detached'], { env: this.env(node), cwd: '/tmp', stdio: 'ignore' });
    }
    for (let i = 0; i < 120; i++) {
      if (ctl(node.name, ['await_startup'], 30_000)) return;
      await sleep(1_000);
    }
    throw new Error(`${node.name} did not start`);
  }

  /** `kill -9` of the node's Erlang VM: connections drop, its queue replicas are gone until it returns. */
  killNode(node: ClusterNode): void {
    const asked = spawnSync('rabbitmqctl', ['-n', node.name, 'eval', 'os:getpid().'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const pid = Number(/\d+/.exec(asked.stdout)?.[0] ?? readFileSync(join(node.dir, 'pid'), 'utf8').trim());
    process.kill(pid, 'SIGKILL');
  }

  /** Waits until `count` nodes report themselves running in the cluster. */
  async awaitRunning(count: number): Promise<void> {
    for (let i = 0; i < 120; i++) {
      const out = spawnSync(
        'rabbitmqctl',
        ['-n', this.nodes[0]!.name, 'eval', 'length(rabbit_nodes:all_running()).'],
        {
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      if (Number(out.stdout.trim()) >= count) return;
      await sleep(1_000);
    }
    throw new Error(`the cluster did not reach ${count} running nodes`);
  }

  /** Stops every node and removes their data. */
  destroy(): void {
    for (const node of this.nodes) {
      if (!ctl(node.name, ['stop'], 60_000)) {
        try {
          this.killNode(node);
        } catch {
          // Not running: nothing to stop.
        }
      }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}
