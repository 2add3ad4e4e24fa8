/**
 * WebSocket watchers for the fan-out benchmark, in their own process: opens
 * `BENCH_SUBSCRIBERS` connections to `BENCH_WS_URL`, subscribes each to the definition
 * `BENCH_DEFINITION` (the /ws protocol, docs/ws-protocol.md), prints `ready`, then reads the number of events each
 * must receive from stdin and prints one JSON line once all have them.
 */
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const url = process.env.BENCH_WS_URL!;
const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const definition = process.env.BENCH_DEFINITION!;

let delivered = 0;
let firstAt = 0;
let lastAt = 0;
const counts: number[] = [];
let expected = Infinity;
let finish: () => void = () => undefined;

const sockets = await Promise.all(
  Array.from(
    { length: subscribers },
    (_, i) =>
      new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(url);
        counts[i] = 0;
        socket.once('error', reject);
        socket.once('open', () => socket.send(JSON.stringify({ type: 'subscribe', definition })));
        socket.on('message', (data: Buffer) => {
          const frame = JSON.parse(data.toString()) as { type: string };
          if (frame.type === 'subscribed') resolve(socket);
          else if (frame.type === 'event') {
            const now = performance.now();
            if (delivered === 0) firstAt = now;
            lastAt = now;
            delivered += 1;
            counts[i]! += 1;
            if (delivered >= expected * subscribers) finish();
          } else if (frame.type === 'error') reject(new Error(data.toString()));
        });
      }),
  ),
);
process.stdout.write('ready\n');

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  expected = Number(line);
  break;
}
await new Promise<void>((resolve) => {
  finish = resolve;
  if (delivered >= expected * subscribers) resolve();
  // A watcher that misses events would hang the benchmark: report what arrived instead.
  setTimeout(resolve, 120_000).unref();
});
process.stdout.write(
  `${JSON.stringify({
    delivered,
    expected: expected * subscribers,
    seconds: (lastAt - firstAt) / 1000,
    incomplete: counts.filter((c) => c < expected).length,
  })}\n`,
);
for (const socket of sockets) socket.terminate();
process.exit(0);
