/**
 * The benchmark's client, in its own process so that it does not share the event loop it is
 * measuring: POSTs `BENCH_RUNS` runs of `chain3` at `BENCH_RATE` runs/s to `BENCH_URL`.
 */
const url = process.env.BENCH_URL!;
const runs = Number(process.env.BENCH_RUNS);
const rate = Number(process.env.BENCH_RATE);

async function post(body: unknown): Promise<void> {
  const response = await fetch(`${url}/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`POST /v1/runs: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
}

const intervalMs = 10;
const perTick = (rate * intervalMs) / 1000;
const inflight = new Set<Promise<void>>();
const startedAt = Date.now();
const begin = performance.now();
let sent = 0;
while (sent < runs) {
  const due = Math.min(runs, Math.floor(((performance.now() - begin) / intervalMs + 1) * perTick));
  while (sent < due) {
    sent += 1;
    const p = post({ definition: 'chain3' });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  }
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
await Promise.all(inflight);
process.stdout.write(`${JSON.stringify({ startedAt, submittedAt: Date.now() })}\n`);
