import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { createMetricsRegistry } from '../../../../src/infrastructure/metrics/metrics-registry.js';
import { repoRoot } from './deploy-files.js';

/** Series Prometheus makes itself for every target. */
const PROMETHEUS_SERIES = ['up', 'scrape_duration_seconds'];
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/**
 * Every series name a Sagaflow process can export: the metrics declared in
 * src/infrastructure/metrics (a histogram with its suffixes) and prom-client's process metrics.
 */
export async function exportedSeries(): Promise<Set<string>> {
  const dir = join(repoRoot, 'src/infrastructure/metrics');
  const declared = readdirSync(dir)
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) => [...readFileSync(join(dir, file), 'utf8').matchAll(/name: '(sagaflow_[a-z0-9_]+)'/g)])
    .map((match) => match[1]!);
  const process = (await createMetricsRegistry().getMetricsAsJSON()).map((metric) => metric.name);
  return new Set(
    [...declared, ...process, ...PROMETHEUS_SERIES].flatMap((name) => [
      name,
      ...HISTOGRAM_SUFFIXES.map((suffix) => `${name}${suffix}`),
    ]),
  );
}

/** What is wrong with one PromQL expression: a syntax error, or a series Sagaflow does not export. */
export function promqlProblems(where: string, expr: string, exported: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) problems.push(`${where}: syntax error at ${node.from} in ${expr}`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        const name = expr.slice(node.from, node.to);
        if (!exported.has(name)) problems.push(`${where}: no series ${name}`);
      }
    },
  });
  return problems;
}
