/**
 * The chaos checker's reading side: what PostgreSQL and the side-effect sink hold once the faults
 * have stopped, turned into the counts the harness prints and passes on
 * (docs/failure-modes.md#the-chaos-harness). The rules themselves are in checker.ts.
 */
import pg from 'pg';
import {
  compensationOrderViolations,
  dagOrderViolations,
  histogram,
  resultsAppliedTwice,
  seqBroken,
  sideEffectReport,
  type CheckedEvent,
  type DependencyGraph,
  type SideEffect,
} from './checker.js';
import type { Accepted } from './driver.js';

export const TERMINAL = ['COMPLETED', 'COMPENSATED', 'FAILED', 'CANCELLED', 'COMPENSATION_FAILED'];

export interface ChaosCounts {
  runsAccepted: number;
  runsLost: number;
  runsNotTerminal: number;
  resultsAppliedTwice: number;
  outboxUnconfirmed: number;
  dagOrderViolations: number;
  compensationOrderViolations: number;
  eventSeqBroken: number;
  outcomesNotAsDesigned: number;
  sideEffectsMissing: number;
  unstableIdempotencyKeys: number;
}

export interface ChaosReport {
  counts: ChaosCounts;
  statuses: Record<string, number>;
  sideEffectsPerKey: Record<string, number>;
}

export async function terminalCount(db: pg.Client, ids: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    'select count(*) as n from runs where id = any($1::uuid[]) and status = any($2::text[])',
    [ids, TERMINAL],
  );
  return Number(rows[0]!.n);
}

export async function outboxRows(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ n: string }>('select count(*) as n from outbox');
  return Number(rows[0]!.n);
}

export async function check(
  db: pg.Client,
  accepted: readonly Accepted[],
  graph: DependencyGraph,
  compensated: ReadonlySet<string>,
  effects: readonly SideEffect[],
): Promise<ChaosReport> {
  const ids = accepted.map((a) => a.id);
  const { rows: runs } = await db.query<{ id: string; status: string }>(
    'select id, status from runs where id = any($1::uuid[])',
    [ids],
  );
  const status = new Map(runs.map((r) => [r.id, r.status]));
  const { rows: eventRows } = await db.query<{
    run_id: string;
    seq: number;
    type: string;
    task_key: string | null;
    attempt: number | null;
  }>(
    'select run_id, seq, type, task_key, attempt from run_events where run_id = any($1::uuid[]) order by run_id, seq',
    [ids],
  );
  const events = new Map<string, CheckedEvent[]>();
  for (const row of eventRows) {
    const list = events.get(row.run_id) ?? [];
    list.push({ seq: row.seq, type: row.type, taskKey: row.task_key, attempt: row.attempt });
    events.set(row.run_id, list);
  }
  const counts: ChaosCounts = {
    runsAccepted: accepted.length,
    runsLost: ids.filter((id) => !status.has(id)).length,
    runsNotTerminal: runs.filter((r) => !TERMINAL.includes(r.status)).length,
    resultsAppliedTwice: 0,
    outboxUnconfirmed: await outboxRows(db),
    dagOrderViolations: 0,
    compensationOrderViolations: 0,
    eventSeqBroken: 0,
    outcomesNotAsDesigned: 0,
    sideEffectsMissing: 0,
    unstableIdempotencyKeys: 0,
  };
  const completions = new Set<string>();
  for (const { id, input } of accepted) {
    const list = events.get(id) ?? [];
    counts.resultsAppliedTwice += resultsAppliedTwice(list);
    counts.dagOrderViolations += dagOrderViolations(list, graph);
    counts.compensationOrderViolations += compensationOrderViolations(list, graph, compensated);
    if (seqBroken(list)) counts.eventSeqBroken += 1;
    const designed = input.d === 'fail' ? 'COMPENSATED' : 'COMPLETED';
    if (status.has(id) && status.get(id) !== designed) counts.outcomesNotAsDesigned += 1;
    for (const e of list) {
      if (e.type === 'TaskCompleted') completions.add(`${id}/${e.taskKey}/task`);
      if (e.type === 'CompensationCompleted') completions.add(`${id}/${e.taskKey}/compensation`);
    }
  }
  const mine = new Set(ids);
  const sideEffects = sideEffectReport(
    effects.filter((e) => mine.has(e.runId)),
    completions,
  );
  counts.sideEffectsMissing = sideEffects.missing;
  counts.unstableIdempotencyKeys = sideEffects.unstableKeys;
  const statuses: Record<string, number> = {};
  for (const r of runs) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  return { counts, statuses, sideEffectsPerKey: histogram(sideEffects.perKey) };
}

/** The counts that must be 0 for a pass (all but the number accepted). */
export function failures(counts: ChaosCounts, expectedRuns: number): string[] {
  const out = Object.entries(counts)
    .filter(([name, n]) => name !== 'runsAccepted' && n !== 0)
    .map(([name, n]) => `${name} = ${n}`);
  if (counts.runsAccepted !== expectedRuns)
    out.push(`runsAccepted = ${counts.runsAccepted}, expected ${expectedRuns}`);
  return out;
}
