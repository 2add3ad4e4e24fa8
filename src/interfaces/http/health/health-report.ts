import type { ReadinessProbe } from './readiness.js';

type Indicator = { status: 'up' } | { status: 'down'; message?: string };

/** The terminus shape of SPEC §7. */
export interface HealthReport {
  status: 'ok' | 'error';
  info: Record<string, Indicator>;
  error: Record<string, Indicator>;
}

/** A probe that hangs must not hang the readiness answer: it counts as down. */
export const PROBE_TIMEOUT_MS = 3000;

export async function runProbes(probes: ReadinessProbe): Promise<HealthReport> {
  const results = await Promise.all(
    probes.map(async (probe) => [probe.name, await indicate(probe)] as const),
  );
  const report: HealthReport = { status: 'ok', info: {}, error: {} };
  for (const [name, indicator] of results) {
    if (indicator.status === 'up') report.info[name] = indicator;
    else report.error[name] = indicator;
  }
  if (Object.keys(report.error).length > 0) report.status = 'error';
  return report;
}

async function indicate(probe: ReadinessProbe[number]): Promise<Indicator> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Indicator>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: 'down', message: `no answer within ${PROBE_TIMEOUT_MS} ms` }),
      PROBE_TIMEOUT_MS,
    );
  });
  const check = probe.check().then(
    (up): Indicator => (up ? { status: 'up' } : { status: 'down' }),
    (error: unknown): Indicator => ({
      status: 'down',
      message: error instanceof Error ? error.message : String(error),
    }),
  );
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
