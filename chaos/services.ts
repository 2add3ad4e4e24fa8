/**
 * Stopping and starting this machine's PostgreSQL, Redis and RabbitMQ for the chaos faults, with
 * the same commands `.ci/run` uses to start them (docs/failure-modes.md#the-chaos-harness).
 * `ensureServicesUp` is idempotent and runs at the end of every chaos run, failed or not, so the
 * machine is left as it was found.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ok(command: string, args: string[], timeoutMs = 30_000): boolean {
  return spawnSync(command, args, { stdio: 'ignore', timeout: timeoutMs }).status === 0;
}

async function until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up in ${timeoutMs} ms`);
    await sleep(500);
  }
}

const pgVersion = () => readdirSync('/etc/postgresql')[0]!;
const pgUp = () => ok('pg_isready', ['-q', '-h', '127.0.0.1', '-p', '5432']);
const redisUp = () => ok('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'ping']);

export const postgres = {
  /** `pg_ctl stop -m immediate`: every backend killed, no checkpoint, crash recovery on start. */
  stop(): void {
    execFileSync(
      'pg_ctlcluster',
      ['--skip-systemctl-redirect', pgVersion(), 'main', 'stop', '-m', 'immediate'],
      {
        stdio: 'ignore',
      },
    );
  },
  async start(): Promise<void> {
    if (!pgUp()) ok('pg_ctlcluster', ['--skip-systemctl-redirect', pgVersion(), 'main', 'start'], 60_000);
    await until(pgUp, 'PostgreSQL', 60_000);
  },
};

export const redis = {
  stop(): void {
    ok('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'shutdown', 'nosave']);
  },
  async start(): Promise<void> {
    if (!redisUp()) {
      ok('redis-server', [
        '--daemonize',
        'yes',
        '--bind',
        '127.0.0.1',
        '-::1',
        '--port',
        '6379',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        '/var/lib/redis',
        '--logfile',
        '/var/log/redis/ci.log',
      ]);
    }
    await until(redisUp, 'Redis', 30_000);
  },
};

/** The default single RabbitMQ node. */
export const rabbitmq = {
  /** Stops the broker application: every connection is closed, queues stay on disk. */
  stop(): void {
    execFileSync('rabbitmqctl', ['-q', 'stop_app'], { stdio: 'ignore', timeout: 60_000 });
  },
  async start(): Promise<void> {
    if (!ok('rabbitmqctl', ['-q', 'start_app'], 60_000)) {
      // The node itself is down (not only its application): start it.
      if (!ok('rabbitmqctl', ['-q', 'status']))
        spawnSync('rabbitmq-server', ['-detached'], { stdio: 'ignore' });
    }
    await until(() => ok('rabbitmqctl', ['-q', 'await_startup'], 60_000), 'RabbitMQ', 120_000);
  },
};

/**
 * RabbitMQ's disk alarm, raised by setting the free-disk limit far above what the disk has:
 * the broker blocks every publishing connection until the limit is put back.
 */
export const diskAlarm = {
  limit(node?: string): string {
    const args = [...(node ? ['-n', node] : []), '-q', 'eval', 'rabbit_disk_monitor:get_disk_free_limit().'];
    return execFileSync('rabbitmqctl', args, { encoding: 'utf8', timeout: 30_000 }).trim();
  },
  raise(node?: string): void {
    execFileSync('rabbitmqctl', [...(node ? ['-n', node] : []), 'set_disk_free_limit', '1000000GB'], {
      stdio: 'ignore',
      timeout: 30_000,
    });
  },
  clear(limit: string, node?: string): void {
    execFileSync('rabbitmqctl', [...(node ? ['-n', node] : []), 'set_disk_free_limit', limit], {
      stdio: 'ignore',
      timeout: 30_000,
    });
  },
};

/** Starts whatever of the three is down; never throws for one that is already up. */
export async function ensureServicesUp(): Promise<void> {
  await postgres.start();
  await redis.start();
  await rabbitmq.start();
}
