/**
 * A network namespace joined to this one by a veth pair, for the broker cut
 * (docs/failure-modes.md#the-chaos-harness). A process started inside it reaches PostgreSQL,
 * Redis and RabbitMQ through TCP forwarders listening on the host end of the veth; the broker's
 * forwarder has an address of its own, so that a blackhole route inside the namespace cuts the
 * broker and nothing else: packets vanish, no RST, as when a switch or a firewall drops them.
 */
import { execFileSync } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';

const HOST_IP = '10.213.0.1';
const BROKER_IP = '10.213.0.3';
const NS_IP = '10.213.0.2';

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function ipQuiet(...args: string[]): void {
  try {
    ip(...args);
  } catch {
    // Nothing to remove: the namespace or the link was not there.
  }
}

/** Forwards every connection to `listenHost:listenPort` to `127.0.0.1:targetPort`. */
interface Forwarder {
  server: Server;
  open: Set<Socket>;
}

async function forwarder(listenHost: string, listenPort: number, targetPort: number): Promise<Forwarder> {
  const open = new Set<Socket>();
  const server = createServer((downstream) => {
    const upstream = connect(targetPort, '127.0.0.1');
    open.add(downstream).add(upstream);
    const end = () => {
      downstream.destroy();
      upstream.destroy();
      open.delete(downstream);
      open.delete(upstream);
    };
    downstream.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, listenHost, resolve);
  });
  return { server, open };
}

export interface NamespaceUrls {
  databaseUrl: string;
  redisUrl: string;
  amqpUrl: string;
}

export class ChaosNamespace {
  private cut = false;
  private constructor(
    readonly name: string,
    private readonly hostLink: string,
    private readonly forwarders: Forwarder[],
  ) {}

  /** The address of this side of the veth: where a service for the namespace must listen. */
  static readonly hostIp = HOST_IP;

  /** True when this machine lets us make namespaces (root and iproute2). */
  static available(): boolean {
    try {
      execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
      return process.getuid?.() === 0;
    } catch {
      return false;
    }
  }

  /** `amqp` lists the broker's ports: one node, or each node of a cluster. */
  static async create(tag: string, ports: { postgres: number; redis: number; amqp: number[] }) {
    const name = `sfchaos-${tag}`;
    const hostLink = `sfc${tag}`.slice(0, 12) + 'h';
    const nsLink = `sfc${tag}`.slice(0, 12) + 'n';
    ipQuiet('link', 'del', hostLink);
    ipQuiet('netns', 'del', name);
    ip('netns', 'add', name);
    ip('link', 'add', hostLink, 'type', 'veth', 'peer', 'name', nsLink);
    ip('link', 'set', nsLink, 'netns', name);
    ip('addr', 'add', `${HOST_IP}/24`, 'dev', hostLink);
    ip('addr', 'add', `${BROKER_IP}/24`, 'dev', hostLink);
    ip('link', 'set', hostLink, 'up');
    ip('netns', 'exec', name, 'ip', 'addr', 'add', `${NS_IP}/24`, 'dev', nsLink);
    ip('netns', 'exec', name, 'ip', 'link', 'set', nsLink, 'up');
    ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
    const forwarders = [
      await forwarder(HOST_IP, 15432, ports.postgres),
      await forwarder(HOST_IP, 16379, ports.redis),
    ];
    for (const port of ports.amqp) forwarders.push(await forwarder(BROKER_IP, port + 10_000, port));
    return new ChaosNamespace(name, hostLink, forwarders);
  }

  /** Rewrites service URLs for a process inside the namespace. */
  urls(databaseUrl: string, redisUrl: string, amqpUrl: string): NamespaceUrls {
    const via = (raw: string, host: string, port: number) => {
      const url = new URL(raw);
      url.hostname = host;
      url.port = String(port);
      return url.toString();
    };
    return {
      databaseUrl: via(databaseUrl, HOST_IP, 15432),
      redisUrl: via(redisUrl, HOST_IP, 16379),
      amqpUrl: amqpUrl
        .split(',')
        .map((node) => via(node, BROKER_IP, Number(new URL(node).port || 5672) + 10_000))
        .join(','),
    };
  }

  /** The command prefix that runs a program inside the namespace. */
  get exec(): string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  /** Drops every packet from the namespace to the broker (a blackhole route). */
  cutBroker(): void {
    ip('netns', 'exec', this.name, 'ip', 'route', 'add', 'blackhole', `${BROKER_IP}/32`);
    this.cut = true;
  }

  healBroker(): void {
    if (!this.cut) return;
    ipQuiet('netns', 'exec', this.name, 'ip', 'route', 'del', 'blackhole', `${BROKER_IP}/32`);
    this.cut = false;
  }

  async destroy(): Promise<void> {
    this.healBroker();
    await Promise.all(
      this.forwarders.map(({ server, open }) => {
        const closed = new Promise((resolve) => server.close(resolve));
        open.forEach((socket) => socket.destroy());
        return closed;
      }),
    );
    ipQuiet('link', 'del', this.hostLink);
    ipQuiet('netns', 'del', this.name);
  }
}
