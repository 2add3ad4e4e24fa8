/**
 * A bench pass's own installation: a database, an AMQP prefix and a Redis prefix named after
 * the process, and what removes them when the pass ends.
 */
import pg from 'pg';
import { loadConfig } from '../src/infrastructure/config/app-config.js';

export const base = loadConfig();

export interface BenchInstallation {
  dbName: string;
  databaseUrl: string;
  prefix: string;
  /** Runs `work` on a connection to the `postgres` database (create, drop, statistics). */
  admin: <T>(work: (c: pg.Client) => Promise<T>) => Promise<T>;
  /** Drops the database, the queues and exchanges, and the Redis keys of the pass. */
  remove: (taskTypes?: readonly string[]) => Promise<void>;
}

/** Deletes every Redis key that starts with `prefix`. */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export function benchInstallation(label = 'bench'): BenchInstallation {
  const dbName = `sagaflow_${label}_${process.pid}`;
  const databaseUrl = new URL(base.databaseUrl);
  databaseUrl.pathname = `/${dbName}`;
  const prefix = `sf${label}_${process.pid}`;

  async function admin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
    const url = new URL(base.databaseUrl);
    url.pathname = '/postgres';
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  async function deleteTopology(taskTypes: readonly string[]): Promise<void> {
    const amqp = await import('amqplib');
    const connection = await amqp.connect(base.amqpUrl);
    const channel = await connection.createChannel();
    const queues = [
      'dead',
      ...taskTypes.map((type) => `tasks.${type}`),
      ...Array.from({ length: base.shardCount }, (_, i) => `results.${i}`),
    ];
    for (const q of queues) await channel.deleteQueue(`${prefix}.${q}`);
    for (const e of ['tasks', 'results', 'dlx']) await channel.deleteExchange(`${prefix}.${e}`);
    await connection.close();
  }

  return {
    dbName,
    databaseUrl: databaseUrl.toString(),
    prefix,
    admin,
    async remove(taskTypes = ['noop', 'echo', 'http']) {
      await admin((c) => c.query(`drop database if exists "${dbName}" with (force)`));
      await deleteTopology(taskTypes);
      await deleteRedisKeys(base.redisUrl, `${prefix}:`);
    },
  };
}
