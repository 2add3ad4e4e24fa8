/**
 * The read-side figures of the W1 pass (BENCH_READS): GET of a run from the Redis cache, the
 * WebSocket fan-out and list latency at scale, each beside its own bare ceiling, and the lines
 * that print them. They need the api in the pass's own process.
 */
import type pg from 'pg';
import type { SagaflowApp } from '../src/app/create-app.js';
import { listAtScale } from './list-scale.js';
import { getRunCacheHit } from './read-side.js';
import { wsFanOut } from './ws-fanout.js';

/** Seconds of each HTTP load pass of the read-side figures. */
const READ_SECONDS = Number(process.env.BENCH_READ_SECONDS ?? 5);
/** WebSocket watchers of the fan-out figure, and the runs they watch. */
const WS_SUBSCRIBERS = Number(process.env.BENCH_WS_SUBSCRIBERS ?? 1000);
const WS_RUNS = Number(process.env.BENCH_WS_RUNS ?? 50);
/** Rows the runs table grows to for the list-at-scale figure (0 skips it). */
const LIST_RUNS = Number(process.env.BENCH_LIST_RUNS ?? 1_000_000);

export type ReadFigures = Awaited<ReturnType<typeof readSideFigures>>;

export async function readSideFigures(app: SagaflowApp, pool: pg.Pool) {
  const { rows } = await pool.query<{ id: string }>('select id from runs limit 1');
  const getRun = await getRunCacheHit(app, rows[0]!.id, READ_SECONDS);
  const fanOut =
    WS_SUBSCRIBERS <= 0
      ? null
      : await wsFanOut(app, WS_SUBSCRIBERS, WS_RUNS, (d, n) => fanOutDone(pool, d, n));
  const lists =
    LIST_RUNS > 0
      ? await listAtScale(
          app,
          LIST_RUNS,
          async (text) => void (await pool.query(text)),
          async () => (await pool.query<{ n: number }>('select count(*)::int as n from runs')).rows[0]!.n,
        )
      : null;
  return { getRun, fanOut, lists };
}

/** Waits for the fan-out's runs; returns the events they wrote and one of them as a `/ws` frame. */
async function fanOutDone(pool: pg.Pool, definition: string, count: number) {
  for (;;) {
    const done = await pool.query<{ n: string; events: string }>(
      `select count(*) filter (where status = 'COMPLETED') as n, coalesce(sum(last_seq), 0) as events
       from runs where definition_name = $1`,
      [definition],
    );
    if (Number(done.rows[0]!.n) >= count) {
      const sample = await pool.query<{ run_id: string; seq: number; type: string; at: Date; data: unknown }>(
        `select e.run_id, e.seq, e.type, e.at, e.data from run_events e join runs r on r.id = e.run_id
         where r.definition_name = $1 and e.type = 'TaskCompleted' limit 1`,
        [definition],
      );
      const e = sample.rows[0]!;
      const event = {
        seq: e.seq,
        type: e.type,
        taskKey: 'a',
        attempt: 1,
        at: new Date(e.at).toISOString(),
        data: e.data,
      };
      return {
        events: Number(done.rows[0]!.events),
        sampleFrame: JSON.stringify({ type: 'event', runId: e.run_id, event }),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function printReadFigures(reads: ReadFigures): void {
  console.log(
    `GET run (cache hit): ${reads.getRun.requestsPerSec} req/s vs bare Fastify ` +
      `${reads.getRun.bareFastifyRequestsPerSec} req/s = ${reads.getRun.ratio}×`,
  );
  if (reads.fanOut)
    console.log(
      `WebSocket fan-out to ${reads.fanOut.subscribers} watchers: ${reads.fanOut.eventsPerSec} events/s vs ` +
        `bare ws ${reads.fanOut.bareWsEventsPerSec} events/s = ${reads.fanOut.ratio}×`,
    );
  if (reads.lists)
    console.log(
      `list runs: p50 ${reads.lists.p50MsBefore} ms at ${reads.lists.runsBefore} runs, ` +
        `${reads.lists.p50MsAfter} ms at ${reads.lists.runsAfter} runs = ${reads.lists.ratio}×`,
    );
}
