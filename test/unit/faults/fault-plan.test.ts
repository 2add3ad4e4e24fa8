import { describe, expect, it } from '@jest/globals';
import { InjectedFault, type FaultPoint } from '../../../src/application/ports/faults.js';
import { parseFaultPlan, PlannedFaults } from '../../../src/infrastructure/faults/fault-plan.js';
import { loadConfig } from '../../../src/infrastructure/config/app-config.js';

const outcome = (faults: PlannedFaults, point: FaultPoint) =>
  faults.at(point).then(
    () => 'pass',
    (error: unknown) => (error instanceof InjectedFault ? 'fault' : 'other'),
  );

describe('SAGAFLOW_FAULTS', () => {
  it('reads points, actions, counts and skips', () => {
    expect(
      parseFaultPlan(
        'worker.after-side-effect-before-report=crash, persistence.after-commit=timeout(250)*3@2,relay.after-publish-before-mark=throw*always',
      ),
    ).toEqual([
      { point: 'worker.after-side-effect-before-report', action: { kind: 'crash' }, times: 1, skip: 0 },
      { point: 'persistence.after-commit', action: { kind: 'timeout', ms: 250 }, times: 3, skip: 2 },
      {
        point: 'relay.after-publish-before-mark',
        action: { kind: 'throw' },
        times: Number.POSITIVE_INFINITY,
        skip: 0,
      },
    ]);
    expect(parseFaultPlan(' ')).toEqual([]);
  });

  it.each([
    ['api.after-commit=throw', /unknown fault point "api.after-commit"/],
    ['worker.after-side-effect-before-report=explode', /is not <point>=/],
    ['persistence.after-commit=timeout()', /is not <point>=/],
    ['persistence.after-commit=throw*', /is not <point>=/],
  ])('names what is wrong in %p', (spec, message) => {
    expect(() => parseFaultPlan(spec)).toThrow(message);
  });

  it('is refused in production and named as the variable to fix', () => {
    expect(() =>
      loadConfig({ SAGAFLOW_FAULTS: 'persistence.after-commit=throw', NODE_ENV: 'production' }),
    ).toThrow(/SAGAFLOW_FAULTS/);
    expect(() => loadConfig({ SAGAFLOW_FAULTS: 'nope=throw' })).toThrow(
      /SAGAFLOW_FAULTS.*unknown fault point/,
    );
    expect(loadConfig({}).faults).toEqual([]);
  });
});

describe('PlannedFaults', () => {
  it('fires on the hits after the skipped ones, as often as asked, and only at its point', async () => {
    const faults = new PlannedFaults(parseFaultPlan('orchestrator.after-apply-before-ack=throw*2@1'));
    expect(faults.armed).toBe(true);
    const seen: string[] = [];
    for (let n = 0; n < 5; n += 1) seen.push(await outcome(faults, 'orchestrator.after-apply-before-ack'));
    expect(seen).toEqual(['pass', 'fault', 'fault', 'pass', 'pass']);
    expect(await outcome(faults, 'relay.after-publish-before-mark')).toBe('pass');
    expect(faults.fired.get('orchestrator.after-apply-before-ack')).toBe(2);
  });

  it('crashes through its crash function and never lets the caller go on', async () => {
    const crashed: string[] = [];
    const faults = new PlannedFaults(
      parseFaultPlan('worker.after-side-effect-before-report=crash'),
      (point) => crashed.push(point),
    );
    expect(await outcome(faults, 'worker.after-side-effect-before-report')).toBe('fault');
    expect(crashed).toEqual(['worker.after-side-effect-before-report']);
  });

  it('times out: waits, then fails', async () => {
    const faults = new PlannedFaults(parseFaultPlan('persistence.after-commit=timeout(5)'));
    await expect(faults.at('persistence.after-commit')).rejects.toThrow(/timeout .* after 5 ms/);
    await expect(faults.at('persistence.after-commit')).resolves.toBeUndefined();
  });
});
