/**
 * The benchmark's client, in its own process so that it does not share the event loop it is
 * measuring: POSTs `BENCH_RUNS` runs of `BENCH_DEFINITION` (default `chain3`) at `BENCH_RATE`
 * runs/s to `BENCH_URL`, or, with `BENCH_CONCURRENCY=n`, as fast as n clients each waiting for
 * its answer allow (the capacity probe of W5, overload.ts). Any answer but 201 fails it.
 */
const url = process.env.BENCH_URL!;
const runs = Number(process.env.BENCH_RUNS);
const rate = Number(process.env.BENCH_RATE);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 0);
const body = JSON.stringify({ definition: process.env.BENCH_DEFINITION ?? 'chain3' });

async function post(): Promise<void> {
  const response = await fetch(`${url}/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  if (response.status !== 201) throw new Error(`POST /v1/runs: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
}

async function steady(): Promise<void> {
  const intervalMs = 10;
  const perTick = (rate * intervalMs) / 1000;
  const inflight = new Set<Promise<void>>();
  const begin = performance.now();
  let sent = 0;
  while (sent < runs) {
    const due = Math.min(runs, Math.floor(((performance.now() - begin) / intervalMs + 1) * perTick));
    while (sent < due) {
      sent += 1;
      const p = post();
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  await Promise.all(inflight);
}

async function closedLoop(): Promise<void> {
  let sent = 0;
  const lane = async () => {
    while (sent < runs) {
      sent += 1;
      await post();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

const startedAt = Date.now();
await (concurrency > 0 ? closedLoop() : steady());
process.stdout.write(`${JSON.stringify({ startedAt, submittedAt: Date.now() })}\n`);
