/** Removes what a chaos run created: its database, its Redis keys, its queues and exchanges. */
import { spawnSync } from 'node:child_process';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import pg from 'pg';

export interface Installation {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** Null: nothing to delete on the machine's broker (the run had a cluster of its own). */
  amqpPrefix: string | null;
}

function listed(kind: 'list_queues' | 'list_exchanges', prefix: string): string[] {
  const out = spawnSync('rabbitmqctl', [kind, '-q', '--no-table-headers', 'name'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return out.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((name) => name.startsWith(`${prefix}.`));
}

export async function cleanupInstallation(installation: Installation): Promise<void> {
  const url = new URL(installation.databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  try {
    await db.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await db.end();
  }
  const redis = new Redis(installation.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${installation.redisPrefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  if (installation.amqpPrefix === null) return;
  const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  try {
    const channel = await connection.createChannel();
    for (const queue of listed('list_queues', installation.amqpPrefix)) {
      await channel.deleteQueue(queue);
    }
    for (const exchange of listed('list_exchanges', installation.amqpPrefix)) {
      await channel.deleteExchange(exchange);
    }
  } finally {
    await connection.close();
  }
}
