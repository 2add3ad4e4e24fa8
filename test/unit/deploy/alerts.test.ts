import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { readRepoFile } from './support/deploy-files.js';
import { exportedSeries, promqlProblems } from './support/promql-checks.js';

interface Rule {
  alert?: string;
  expr?: string;
  labels?: { severity?: string };
  annotations?: { summary?: string; description?: string };
}

const rules = (
  parse(readRepoFile('deploy/prometheus/alerts.yml')) as { groups: { rules: Rule[] }[] }
).groups.flatMap((group) => group.rules);
let exported: Set<string>;
beforeAll(async () => {
  exported = await exportedSeries();
});

describe('deploy/prometheus/alerts.yml', () => {
  it('is loaded by prometheus.yml and mounted by compose', () => {
    const prometheus = parse(readRepoFile('deploy/prometheus/prometheus.yml')) as { rule_files?: string[] };
    expect(prometheus.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    expect(readRepoFile('docker-compose.yml')).toContain(
      './deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro',
    );
  });

  it('names each alert once, with a severity, a summary and a description', () => {
    const names = rules.map((rule) => rule.alert);
    expect(new Set(names).size).toBe(names.length);
    const incomplete = rules.filter(
      (rule) =>
        !rule.alert ||
        !['critical', 'warning'].includes(rule.labels?.severity ?? '') ||
        !rule.annotations?.summary ||
        !rule.annotations.description,
    );
    expect(incomplete).toEqual([]);
  });

  it('parses every expression as PromQL over series Sagaflow exports', () => {
    expect(rules.flatMap((rule) => promqlProblems(rule.alert ?? '?', rule.expr ?? '', exported))).toEqual([]);
  });

  it('catches a misspelt series and a syntax error', () => {
    expect(promqlProblems('x', 'sagaflow_outbox_oldest_unsent_age > 30', exported)).toEqual([
      'x: no series sagaflow_outbox_oldest_unsent_age',
    ]);
    expect(promqlProblems('x', 'max by (queue (up)', exported).length).toBeGreaterThan(0);
  });
});
