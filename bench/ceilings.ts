import amqp from 'amqplib';
import pg from 'pg';

/** Raw RabbitMQ ceiling: persistent publish with pipelined confirms + consume with manual ack. */
export async function amqpCeiling(url: string, prefix: string, messages = 20_000): Promise<number> {
  const connection = await amqp.connect(url);
  try {
    const queue = `${prefix}.ceiling`;
    const setup = await connection.createChannel();
    await setup.assertQueue(queue, { durable: true });
    await setup.purgeQueue(queue);
    const publisher = await connection.createConfirmChannel();
    const consumer = await connection.createChannel();
    await consumer.prefetch(500);
    const body = Buffer.from(
      JSON.stringify({ runId: '00000000-0000-0000-0000-000000000000', taskKey: 'a', attempt: 1 }),
    );
    const started = performance.now();
    let received = 0;
    const consumed = new Promise<void>((resolve) => {
      void consumer.consume(queue, (msg) => {
        if (!msg) return;
        received += 1;
        if (received % 100 === 0 || received === messages) consumer.ack(msg, true);
        if (received === messages) resolve();
      });
    });
    const window = 200;
    let inFlight: Promise<void>[] = [];
    for (let i = 0; i < messages; i++) {
      inFlight.push(
        new Promise<void>((resolve, reject) => {
          publisher.publish('', queue, body, { persistent: true }, (err) =>
            err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
          );
        }),
      );
      if (inFlight.length >= window) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);
    await consumed;
    const seconds = (performance.now() - started) / 1000;
    await setup.deleteQueue(queue);
    return messages / seconds;
  } finally {
    await connection.close();
  }
}

/** Raw PostgreSQL ceiling: single-row INSERT + COMMIT from 8 clients for `ms`. */
export async function pgCeiling(databaseUrl: string, ms = 3000): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 8 });
  try {
    await pool.query('create table if not exists bench_ceiling (id bigserial primary key, body jsonb)');
    const deadline = performance.now() + ms;
    let commits = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const client = await pool.connect();
        try {
          while (performance.now() < deadline) {
            await client.query('begin');
            await client.query('insert into bench_ceiling (body) values ($1)', ['{"a":1}']);
            await client.query('commit');
            commits += 1;
          }
        } finally {
          client.release();
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await pool.query('drop table bench_ceiling');
    return commits / seconds;
  } finally {
    await pool.end();
  }
}

/**
 * The raw ceilings a pass reports: measured (BENCH_CEILINGS, default true) or, when an earlier
 * pass of the same bench run measured them, taken from BENCH_CEILING_PG and BENCH_CEILING_AMQP
 * so each workload's figures are printed beside them; 0 when neither.
 */
export async function passCeilings(databaseUrl: string, amqpUrl: string, prefix: string) {
  const measured = process.env.BENCH_CEILINGS !== 'false';
  const pgCommitsPerSec = measured ? await pgCeiling(databaseUrl) : Number(process.env.BENCH_CEILING_PG ?? 0);
  const amqpMsgsPerSec = measured
    ? await amqpCeiling(amqpUrl, prefix)
    : Number(process.env.BENCH_CEILING_AMQP ?? 0);
  return {
    measured,
    amqpMsgsPerSec: Math.round(amqpMsgsPerSec),
    pgCommitsPerSec: Math.round(pgCommitsPerSec),
  };
}
