import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/**
 * A RabbitMQ node of one test file's own (its own node name, ports, data and log directories
 * under /tmp), so a test can stop "the broker" without touching the shared node on 5672 that
 * other suites use. It uses the machine's `rabbitmq-server` and `rabbitmqctl` scripts, which
 * run as the `rabbitmq` user (from root or that user) and so share its Erlang cookie; its own
 * rabbitmq-env.conf and rabbitmq.conf keep the shared node's settings (name, port) out.
 * `remove()`, which the test's afterAll must call (it is idempotent), stops the node and deletes
 * its directory; nothing else is ever stopped.
 */
export class PrivateRabbitMq {
  private process: ChildProcess | null = null;
  private output = '';

  private constructor(
    readonly node: string,
    readonly port: number,
    private readonly distPort: number,
    private readonly base: string,
  ) {}

  static async start(): Promise<PrivateRabbitMq> {
    const id = `sftest-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const [port, distPort] = [await freePort(), await freePort()];
    const broker = new PrivateRabbitMq(`${id}@localhost`, port, distPort, join('/tmp', id));
    await broker.prepare();
    try {
      await broker.resume();
    } catch (error) {
      await broker.remove();
      throw error;
    }
    return broker;
  }

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }

  /** Starts the node (again, on the same ports and data) and waits until it serves AMQP. */
  async resume(): Promise<void> {
    if (this.process) return;
    this.output = '';
    // Own process group, so that remove() can end the node's whole tree if `stop` did not.
    const child = spawn('rabbitmq-server', [], { env: this.env(), detached: true, stdio: 'pipe' });
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.process = child;
    // `await_startup` fails at once while the node is not yet registered: ask until it answers.
    for (;;) {
      if (child.exitCode !== null) {
        this.process = null;
        throw new Error(`private RabbitMQ ${this.node} exited while starting:\n${this.output.slice(-2000)}`);
      }
      try {
        await this.ctl('await_startup');
        return;
      } catch {
        await sleep(200);
      }
    }
  }

  /** Stops the node (connections are closed, the port stops listening) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await this.ctl('stop');
    } catch {
      killGroup(child, 'SIGKILL');
    }
    await exited;
  }

  /** The node's free-disk limit in bytes, as `setDiskFreeLimit` takes it back (`50000000`). */
  async diskFreeLimit(): Promise<string> {
    return (await this.ctl('-q', 'eval', 'rabbit_disk_monitor:get_disk_free_limit().')).trim();
  }

  /**
   * Sets the node's free-disk limit (`rabbitmqctl set_disk_free_limit`). One far above the disk
   * (`1000000GB`) raises the disk alarm, which blocks every connection that publishes; the limit
   * `diskFreeLimit()` read before clears it again.
   */
  async setDiskFreeLimit(limit: string): Promise<void> {
    await this.ctl('set_disk_free_limit', limit);
  }

  /** The node's alarms in effect, as Erlang terms (`[]`, or `[{{resource_limit,disk,…},[]}]`). */
  async alarms(): Promise<string> {
    return (await this.ctl('-q', 'eval', 'rabbit_alarm:get_alarms().')).trim();
  }

  /** Stops the node, ending its process group if it does not stop, and deletes its files. */
  async remove(): Promise<void> {
    const child = this.process;
    try {
      await this.stop();
    } finally {
      if (child) killGroup(child, 'SIGKILL');
      await rm(this.base, { recursive: true, force: true });
    }
  }

  private async prepare(): Promise<void> {
    await mkdir(join(this.base, 'mnesia'), { recursive: true });
    await mkdir(join(this.base, 'log'), { recursive: true });
    await writeFile(join(this.base, 'enabled_plugins'), '');
    // Replaces /etc/rabbitmq/rabbitmq-env.conf, which names the shared node.
    await writeFile(
      join(this.base, 'rabbitmq-env.conf'),
      'ERL_EPMD_ADDRESS=127.0.0.1\nexport ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}"\n',
    );
    // Replaces /etc/rabbitmq/rabbitmq.conf, whose listener is the shared node's port.
    await writeFile(join(this.base, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${this.port}\n`);
    if (process.getuid?.() === 0) await chownTree(this.base, await rabbitmqIds());
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      RABBITMQ_NODENAME: this.node,
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.distPort),
      RABBITMQ_MNESIA_BASE: join(this.base, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.base, 'log'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.base, 'enabled_plugins'),
      RABBITMQ_CONF_ENV_FILE: join(this.base, 'rabbitmq-env.conf'),
      RABBITMQ_CONFIG_FILE: join(this.base, 'rabbitmq.conf'),
    };
  }

  private async ctl(...args: string[]): Promise<string> {
    const { stdout } = await run('rabbitmqctl', ['-n', this.node, ...args], {
      env: this.env(),
      timeout: 30_000,
    });
    return stdout;
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function rabbitmqIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([
    run('id', ['-u', 'rabbitmq']).then((r) => Number(r.stdout.trim())),
    run('id', ['-g', 'rabbitmq']).then((r) => Number(r.stdout.trim())),
  ]);
  return { uid, gid };
}

/** The node runs as `rabbitmq` (the scripts switch to it), so it must own its directories. */
async function chownTree(base: string, ids: { uid: number; gid: number }): Promise<void> {
  for (const path of [
    base,
    join(base, 'mnesia'),
    join(base, 'log'),
    join(base, 'enabled_plugins'),
    join(base, 'rabbitmq-env.conf'),
    join(base, 'rabbitmq.conf'),
  ]) {
    await chown(path, ids.uid, ids.gid);
  }
}
