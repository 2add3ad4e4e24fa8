import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { readRepoFile } from './support/deploy-files.js';
import { exportedSeries, promqlProblems } from './support/promql-checks.js';

interface Target {
  refId: string;
  expr: string;
  datasource?: { uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: Target[];
}

const dashboard = JSON.parse(readRepoFile('deploy/grafana/dashboards/sagaflow.json')) as {
  uid: string;
  title: string;
  panels: Panel[];
};
const graphs = dashboard.panels.filter((panel) => panel.type !== 'row');
let exported: Set<string>;
beforeAll(async () => {
  exported = await exportedSeries();
});

describe('deploy/grafana', () => {
  it('provisions the Prometheus data source the panels name, and the dashboard folder compose mounts', () => {
    const sources = parse(readRepoFile('deploy/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: { uid: string; url: string }[];
    };
    expect(sources.datasources).toEqual([
      expect.objectContaining({ uid: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
    const providers = parse(readRepoFile('deploy/grafana/provisioning/dashboards/sagaflow.yml')) as {
      providers: { options: { path: string } }[];
    };
    expect(providers.providers[0]!.options.path).toBe('/var/lib/grafana/dashboards');
    const compose = readRepoFile('docker-compose.yml');
    expect(compose).toContain('./deploy/grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(compose).toContain('./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro');
    for (const panel of graphs) {
      expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({
        panel: panel.title,
        uid: 'prometheus',
      });
    }
  });

  it('has unique panel ids and titles, each graph with at least one query', () => {
    expect(dashboard.uid).toBe('sagaflow');
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const titles = graphs.map((panel) => panel.title);
    expect(new Set(titles).size).toBe(titles.length);
    expect(graphs.filter((panel) => (panel.targets ?? []).length === 0)).toEqual([]);
  });

  it('queries only valid PromQL over series Sagaflow exports', () => {
    const problems = graphs.flatMap((panel) =>
      (panel.targets ?? []).flatMap((target) =>
        promqlProblems(`${panel.title} ${target.refId}`, target.expr, exported),
      ),
    );
    expect(problems).toEqual([]);
  });

  it('shows every sagaflow_ series the alerts and the operations guide rely on', () => {
    const queried = graphs.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)).join('\n');
    for (const series of [
      'sagaflow_runs_finished_total',
      'sagaflow_queue_messages',
      'sagaflow_outbox_oldest_unsent_age_seconds',
      'sagaflow_dead_letters',
      'sagaflow_breakers_open',
      'sagaflow_worker_executions_total',
    ]) {
      expect(queried).toContain(series);
    }
  });
});
