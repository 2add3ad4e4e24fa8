import { WebSocketServer } from 'ws';
import type { SagaflowApp } from '../src/app/create-app.js';
import { lineFrom, spawnScript } from './processes.js';
import { round } from './stats.js';
import { post } from './rest.js';

interface Delivery {
  delivered: number;
  expected: number;
  seconds: number;
  incomplete: number;
}

/** Opens the watchers (another process), runs `work`, then waits until each has `events()`. */
async function watch(wsUrl: string, subscribers: number, definition: string, work: () => Promise<number>) {
  const client = spawnScript(
    'ws-subscribers',
    { BENCH_WS_URL: wsUrl, BENCH_SUBSCRIBERS: String(subscribers), BENCH_DEFINITION: definition },
    { stdin: true },
  );
  await lineFrom(client, (line) => line === 'ready');
  const perSubscriber = await work();
  client.stdin!.write(`${perSubscriber}\n`);
  const result = JSON.parse(await lineFrom(client, (line) => line.startsWith('{'))) as Delivery;
  if (result.incomplete > 0)
    throw new Error(`${result.incomplete} of ${subscribers} watchers missed events of ${definition}`);
  return { eventsPerSec: result.delivered / result.seconds, delivered: result.delivered };
}

/**
 * Events/s delivered to `subscribers` WebSocket watchers of one definition while `runs` runs of
 * a 3-task chain go through the system, against the raw ceiling of the same delivery in the
 * same run: a bare `ws` server sending the same number of frames of the same size to the same
 * watcher process (no Redis, no feed, no NestJS).
 */
export async function wsFanOut(
  app: SagaflowApp,
  subscribers: number,
  runs: number,
  waitForRuns: (definition: string, count: number) => Promise<{ events: number; sampleFrame: string }>,
) {
  const definition = 'fanout';
  await post(`${app.url}/v1/definitions`, {
    name: definition,
    tasks: [
      { key: 'a', type: 'noop' },
      { key: 'b', type: 'noop', dependsOn: ['a'] },
      { key: 'c', type: 'noop', dependsOn: ['b'] },
    ],
  });
  let frame = '';
  const ours = await watch(`${app.url!.replace('http', 'ws')}/ws`, subscribers, definition, async () => {
    await Promise.all(Array.from({ length: runs }, () => post(`${app.url}/v1/runs`, { definition })));
    const { events, sampleFrame } = await waitForRuns(definition, runs);
    frame = sampleFrame;
    return events;
  });

  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', path: '/ws' });
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as { port: number }).port;
  const clients: import('ws').WebSocket[] = [];
  server.on('connection', (socket) => {
    socket.once('message', () => {
      socket.send(JSON.stringify({ type: 'subscribed', definition }));
      clients.push(socket);
    });
  });
  const perSubscriber = ours.delivered / subscribers;
  try {
    const raw = await watch(`ws://127.0.0.1:${port}/ws`, subscribers, definition, async () => {
      void (async () => {
        for (let i = 0; i < perSubscriber; i++) {
          for (const socket of clients) socket.send(frame);
          // Let the sockets drain now and then, as a live feed would.
          if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      return perSubscriber;
    });
    return {
      subscribers,
      eventsPerSec: Math.round(ours.eventsPerSec),
      bareWsEventsPerSec: Math.round(raw.eventsPerSec),
      ratio: round(ours.eventsPerSec / raw.eventsPerSec, 3),
    };
  } finally {
    for (const socket of clients) socket.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
}
