/**
 * The figures a pass reads back from its database once the runs are through: how long they took,
 * ready→start latency and the step gaps of every task (compensations included, which live in
 * `task_runs.compensation` as JSON with their own queuedAt/startedAt/finishedAt), commits, and
 * tasks finished inside a time window. Intervals between two columns are computed in SQL, at the
 * microseconds PostgreSQL keeps; the compensation timestamps are ISO strings written from JS
 * Dates, so those steps have millisecond resolution.
 */
import type pg from 'pg';
import { summary } from './stats.js';
import { compensationGaps, forwardGaps, type Workload } from './workloads.js';

/** Statuses a run passes through on its way to a final one. */
const UNDERWAY = ['PENDING', 'RUNNING', 'COMPENSATING'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const since = (epochMs: number) => new Date(epochMs).toISOString();

/**
 * Waits until `expected` runs ended in the workload's terminal status; throws if any ended
 * otherwise, or as soon as `failure` names a reason to stop waiting (a crashed process).
 */
export async function waitForTerminal(
  pool: pg.Pool,
  workload: Workload,
  expected: number,
  failure: () => string | null = () => null,
): Promise<void> {
  for (;;) {
    const reason = failure();
    if (reason !== null) throw new Error(reason);
    const { rows } = await pool.query<{ done: number; bad: number }>(
      `select count(*) filter (where status = $1)::int as done,
              count(*) filter (where status <> $1 and status <> all($2))::int as bad
       from runs`,
      [workload.terminal, UNDERWAY],
    );
    const { done, bad } = rows[0]!;
    if (bad > 0) {
      const sample = await pool.query<{ status: string; n: number }>(
        'select status, count(*)::int as n from runs group by status',
      );
      throw new Error(
        `${bad} runs ended otherwise than ${workload.terminal}: ` +
          sample.rows.map((r) => `${r.status} ${r.n}`).join(', '),
      );
    }
    if (done >= expected) return;
    await sleep(100);
  }
}

/** Seconds from `startedAt` to the last run's end, and the latency figures of the runs created since. */
export async function measure(pool: pg.Pool, workload: Workload, startedAt: number) {
  const from = since(startedAt);
  const end = await pool.query<{ last: Date }>(
    'select max(finished_at) as last from runs where created_at >= $1',
    [from],
  );
  const seconds = (new Date(end.rows[0]!.last).getTime() - startedAt) / 1000;
  const ready = await pool.query<{ ms: number }>(
    `select extract(epoch from t.started_at - t.queued_at) * 1000 as ms
       from task_runs t join runs r on r.id = t.run_id
       where r.created_at >= $1 and t.started_at is not null
     union all
     select extract(epoch from (t.compensation->>'startedAt')::timestamptz
                              - (t.compensation->>'queuedAt')::timestamptz) * 1000
       from task_runs t join runs r on r.id = t.run_id
       where r.created_at >= $1 and t.compensation->>'startedAt' is not null`,
    [from],
  );
  // Forward: the child's start − the last finish among its parents.
  const forward = await pool.query<{ ms: number }>(
    `select extract(epoch from n.started_at - (
         select max(p.finished_at) from task_runs p where p.run_id = n.run_id and p.key = any(g.parents)
       )) * 1000 as ms
     from jsonb_to_recordset($2::jsonb) as g(child text, parents text[])
     join task_runs n on n.key = g.child
     join runs r on r.id = n.run_id
     where r.created_at >= $1 and n.started_at is not null`,
    [from, JSON.stringify(forwardGaps(workload))],
  );
  // Compensation: its start − the last of its dependents to settle (compensated, else finished).
  const backward = await pool.query<{ ms: number }>(
    `select extract(epoch from (n.compensation->>'startedAt')::timestamptz - (
         select max(coalesce((d.compensation->>'finishedAt')::timestamptz, d.finished_at))
         from task_runs d where d.run_id = n.run_id and d.key = any(g.dependents)
       )) * 1000 as ms
     from jsonb_to_recordset($2::jsonb) as g(child text, dependents text[])
     join task_runs n on n.key = g.child
     join runs r on r.id = n.run_id
     where r.created_at >= $1 and n.compensation->>'startedAt' is not null`,
    [from, JSON.stringify(compensationGaps(workload))],
  );
  const gaps = [...forward.rows, ...backward.rows];
  return {
    seconds,
    readyToStart: summary(ready.rows.map((r) => Number(r.ms))),
    stepGap: summary(gaps.map((r) => Number(r.ms))),
    stepGaps: gaps.length,
  };
}

/** Task executions (forward attempts and compensations) that finished in [from, to), epoch ms. */
export async function tasksFinishedBetween(pool: pg.Pool, from: number, to: number): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `select (count(*) filter (where finished_at >= $1 and finished_at < $2)
           + count(*) filter (where (compensation->>'finishedAt')::timestamptz >= $1
                                and (compensation->>'finishedAt')::timestamptz < $2))::int as n
     from task_runs`,
    [since(from), since(to)],
  );
  return rows[0]!.n;
}

/** Runs not yet in a final status (the backlog an overload leaves). */
export async function runsUnderway(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    'select count(*)::int as n from runs where status = any($1)',
    [UNDERWAY],
  );
  return rows[0]!.n;
}
