import type { SagaflowApp } from '../src/app/create-app.js';
import { round, summary } from './stats.js';

const QUERIES = [
  '/v1/runs?limit=100',
  '/v1/runs?definition=chain3&limit=100',
  '/v1/runs?status=COMPLETED&limit=100',
  '/v1/runs?definition=chain3&status=COMPLETED&limit=100',
  '/v1/runs?definition=chain3&createdBefore=2026-06-01T00:00:00Z&limit=100',
];

/** Milliseconds of each list request, first page and the page after it, sequentially. */
async function listLatencies(url: string, rounds: number): Promise<number[]> {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const path of QUERIES) {
      let next: string | null = `${url}${path}`;
      for (let page = 0; page < 2 && next; page++) {
        const began = performance.now();
        const response: Response = await fetch(next);
        const body = (await response.json()) as { nextCursor: string | null };
        times.push(performance.now() - began);
        if (response.status !== 200) throw new Error(`GET ${next}: ${response.status}`);
        next = body.nextCursor ? `${url}${path}&cursor=${encodeURIComponent(body.nextCursor)}` : null;
      }
    }
  }
  return times;
}

/**
 * List queries before and after the runs table grows to `target` rows (seeded in SQL: 50
 * definitions, five statuses, a year of creation times), so the ratio shows whether list
 * latency depends on the table's size (it should not: one ordered index scan per page).
 */
export async function listAtScale(
  app: SagaflowApp,
  target: number,
  execute: (sql: string) => Promise<void>,
  count: () => Promise<number>,
) {
  const small = await count();
  const before = summary(await listLatencies(app.url!, 20));
  const batch = 250_000;
  for (let have = small; have < target; have += batch) {
    const n = Math.min(batch, target - have);
    await execute(
      `insert into runs (id, namespace, definition_name, definition_version, status, input, last_seq, version,
         created_at)
       select gen_random_uuid(), 'default', case when i % 50 = 0 then 'chain3' else 'seed-' || (i % 50) end, 1,
         (array['RUNNING','COMPLETED','COMPENSATED','FAILED','CANCELLED'])[1 + ((i / 7) % 5)],
         '{}'::jsonb, 1, 1, timestamptz '2026-01-01' + (i * interval '30 seconds')
       from generate_series(${have + 1}, ${have + n}) as i`,
    );
  }
  await execute('analyze runs');
  const after = summary(await listLatencies(app.url!, 20));
  return {
    runsBefore: small,
    runsAfter: await count(),
    p50MsBefore: before.p50,
    p50MsAfter: after.p50,
    p99MsAfter: after.p99,
    ratio: round(after.p50 / before.p50, 3),
  };
}
