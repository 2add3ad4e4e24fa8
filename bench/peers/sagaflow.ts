/**
 * Sagaflow as the peer comparison drives it: the built `sagaflow` process (dist/src/main.js)
 * with all four roles in one child process, its own database, AMQP prefix and Redis prefix;
 * definitions registered and runs started over REST, as a client would; a run is finished when
 * its row in the runs table reaches the workload's terminal status.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { cleanupInstallation } from '../../chaos/cleanup.js';
import {
  AMQP_URL,
  REDIS_URL,
  databaseUrl,
  pollFinished,
  procCpuMicros,
  uniqueId,
  type Installation,
  type PeerSystem,
  type Workload,
  type WorkloadId,
} from './common.js';

const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const HANDLERS = fileURLToPath(new URL('./sagaflow-handlers.js', import.meta.url));
const READY = /sagaflow \S+ running roles/;

const DEFINITIONS: Record<WorkloadId, { definition: Record<string, unknown>; terminal: string }> = {
  W1: {
    terminal: 'COMPLETED',
    definition: {
      name: 'peers-chain3',
      tasks: [
        { key: 'a', type: 'noop' },
        { key: 'b', type: 'noop', dependsOn: ['a'] },
        { key: 'c', type: 'noop', dependsOn: ['b'] },
      ],
    },
  },
  W2: {
    terminal: 'COMPLETED',
    definition: {
      name: 'peers-fanout10',
      tasks: [
        ...Array.from({ length: 10 }, (_, i) => ({ key: `t${i}`, type: 'noop' })),
        { key: 'join', type: 'noop', dependsOn: Array.from({ length: 10 }, (_, i) => `t${i}`) },
      ],
    },
  },
  W4: {
    terminal: 'COMPENSATED',
    definition: {
      name: 'peers-saga',
      tasks: [
        { key: 'reserve', type: 'noop', compensation: { type: 'noop' } },
        { key: 'charge', type: 'noop', dependsOn: ['reserve'], compensation: { type: 'noop' } },
        { key: 'ship', type: 'fail', dependsOn: ['charge'], retry: { maxAttempts: 1 } },
      ],
    },
  },
};

/** Statuses a run passes through on its way to a terminal one. */
const UNDERWAY = ['PENDING', 'RUNNING', 'COMPENSATING'];

export const sagaflow: PeerSystem = {
  name: 'sagaflow',
  cpuScope: 'the sagaflow child process (all roles)',
  async install(workload: Workload): Promise<Installation> {
    const id = uniqueId();
    const dbName = `sagaflow_peers_${id}`;
    const installation = {
      databaseUrl: databaseUrl(dbName),
      redisUrl: REDIS_URL,
      redisPrefix: `sfpeers:${id}:`,
      amqpPrefix: `sfpeers_${id}`,
    };
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        SAGAFLOW_ROLES: 'api,relay,orchestrator,worker',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: installation.databaseUrl,
        AMQP_URL,
        REDIS_URL,
        SAGAFLOW_AMQP_PREFIX: installation.amqpPrefix,
        SAGAFLOW_REDIS_PREFIX: installation.redisPrefix,
        SAGAFLOW_HANDLERS: HANDLERS,
        SAGAFLOW_AUTH: 'off',
        LOG_LEVEL: 'warn',
        OTEL_SDK_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const pool = new pg.Pool({ connectionString: installation.databaseUrl, max: 2 });
    let closing: Promise<void> | null = null;
    const close = () =>
      (closing ??= (async () => {
        await stopChild(child, exited);
        await pool.end().catch(() => undefined);
        await cleanupInstallation(installation);
      })());

    const { terminal, definition } = DEFINITIONS[workload.id];
    try {
      await waitForReady(child);
      await post(`${url}/v1/definitions`, definition, [200, 201]);
    } catch (err) {
      await close();
      throw err;
    }
    const body = JSON.stringify({ definition: definition.name });
    let lastFinishedAt = 0;
    return {
      async submit() {
        await post(`${url}/v1/runs`, body, [201]);
      },
      async waitForFinished(count) {
        await pollFinished(count, async () => {
          const { rows } = await pool.query<{ done: number; bad: number; last: Date | null }>(
            `select count(*) filter (where status = $1)::int as done,
                    count(*) filter (where status <> $1 and status <> all($2))::int as bad,
                    max(finished_at) as last
             from runs`,
            [terminal, UNDERWAY],
          );
          const row = rows[0]!;
          if (row.bad > 0) {
            const sample = await pool.query<{ status: string; n: number }>(
              `select status, count(*)::int as n from runs group by status`,
            );
            throw new Error(
              `sagaflow: ${row.bad} runs ended otherwise than ${terminal}: ` +
                sample.rows.map((r) => `${r.status} ${r.n}`).join(', '),
            );
          }
          lastFinishedAt = row.last ? row.last.getTime() : 0;
          return row.done;
        });
        return lastFinishedAt;
      },
      cpuMicros: () => procCpuMicros(child.pid!),
      close,
    };
  },
};

/** A port nobody listens on right now (the child binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Resolves on the start line; rejects if the child exits or takes over a minute. Later lines are
 * drained: warnings (one per failed attempt of W4's `ship`) are counted away, errors are shown.
 */
function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const early: string[] = [];
    let ready = false;
    let buffer = '';
    const onLine = (line: string) => {
      if (!ready) {
        if (READY.test(line)) {
          ready = true;
          clearTimeout(timer);
          resolve();
        } else early.push(line);
        return;
      }
      if (/"level":(50|60)/.test(line) || /\b(error|fatal)\b/i.test(line.slice(0, 40))) {
        console.error(`[sagaflow] ${line}`);
      }
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString().trimEnd();
      if (ready) console.error(`[sagaflow] ${text}`);
      else early.push(text);
    });
    const timer = setTimeout(
      () => reject(new Error(`sagaflow did not start within 60 s:\n${early.join('\n')}`)),
      60_000,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`sagaflow exited (${code}) before starting:\n${early.join('\n')}`));
    });
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

async function post(url: string, body: unknown, expected: number[]): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  if (!expected.includes(response.status)) throw new Error(`POST ${url}: ${response.status} ${text}`);
}
