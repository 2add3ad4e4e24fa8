import { setTimeout as sleep } from 'node:timers/promises';
import { FAULT_POINTS, InjectedFault, type FaultPoint, type Faults } from '../../application/ports/faults.js';

/** What happens at an armed point. */
export type FaultAction = { kind: 'throw' } | { kind: 'crash' } | { kind: 'timeout'; ms: number };

/** One armed point: after `skip` passes, the next `times` hits fire (Infinity: every one). */
export interface FaultRule {
  point: FaultPoint;
  action: FaultAction;
  times: number;
  skip: number;
}

const RULE = /^([a-z.-]+)=(throw|crash|timeout\((\d{1,7})\))(?:\*(\d{1,9}|always))?(?:@(\d{1,9}))?$/;

/**
 * Reads SAGAFLOW_FAULTS (docs/failure-modes.md#fault-hooks): comma-separated
 * `<point>=<action>[*<times>|*always][@<skip>]`, action `throw`, `crash` or `timeout(<ms>)`;
 * `times` defaults to 1. Throws a message naming the rule that is wrong.
 */
export function parseFaultPlan(spec: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = RULE.exec(part);
    if (!match) {
      throw new Error(`"${part}" is not <point>=throw|crash|timeout(<ms>)[*<times>|*always][@<skip>]`);
    }
    const [, point, action, ms, times, skip] = match;
    if (!(FAULT_POINTS as readonly string[]).includes(point!)) {
      throw new Error(`unknown fault point "${point}" (expected ${FAULT_POINTS.join(', ')})`);
    }
    rules.push({
      point: point as FaultPoint,
      action:
        action === 'throw'
          ? { kind: 'throw' }
          : action === 'crash'
            ? { kind: 'crash' }
            : { kind: 'timeout', ms: Number(ms) },
      times: times === undefined ? 1 : times === 'always' ? Number.POSITIVE_INFINITY : Number(times),
      skip: skip === undefined ? 0 : Number(skip),
    });
  }
  return rules;
}

/**
 * The armed points of one process. Counts are this process's own: a fault is something that
 * happens to one process, never coordination between them.
 */
export class PlannedFaults implements Faults {
  readonly armed: boolean;
  private readonly hits = new Map<FaultPoint, number>();
  /** How often each point has fired, for tests and the warning at startup. */
  readonly fired = new Map<FaultPoint, number>();

  constructor(
    private readonly rules: readonly FaultRule[],
    private readonly crash: (point: FaultPoint) => void = crashNow,
  ) {
    this.armed = rules.length > 0;
  }

  async at(point: FaultPoint): Promise<void> {
    const rule = this.rules.find((r) => r.point === point);
    if (!rule) return;
    const hit = (this.hits.get(point) ?? 0) + 1;
    this.hits.set(point, hit);
    if (hit <= rule.skip || hit > rule.skip + rule.times) return;
    this.fired.set(point, (this.fired.get(point) ?? 0) + 1);
    switch (rule.action.kind) {
      case 'throw':
        throw new InjectedFault(`injected fault at ${point}`);
      case 'timeout':
        await sleep(rule.action.ms);
        throw new InjectedFault(`injected timeout at ${point} after ${rule.action.ms} ms`);
      case 'crash':
        this.crash(point);
        // A crash that returns (a test's stand-in) still must not let the caller go on.
        throw new InjectedFault(`injected crash at ${point}`);
    }
  }
}

/** `kill -9` of this process: no shutdown hook, no flush, exactly what a crash leaves behind. */
function crashNow(point: FaultPoint): void {
  process.stderr.write(`sagaflow: injected crash at ${point}\n`);
  process.kill(process.pid, 'SIGKILL');
}
