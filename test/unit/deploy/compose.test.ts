import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

import { loadConfig } from '../../../src/infrastructure/config/app-config.js';
import { CONFIG_VARIABLES } from '../../../src/infrastructure/config/config-variables.js';
import {
  appServiceProblems,
  healthProblems,
  infraImageProblems,
  missingServices,
  OTEL_VARIABLES,
  portabilityProblems,
  prometheusProblems,
  publishedPortProblems,
  wiringProblems,
} from './support/compose-checks.js';
import {
  interpolatedNames,
  parseCompose,
  parseEnvExample,
  readRepoFile,
  repoRoot,
  type ComposeFile,
} from './support/deploy-files.js';

const composeText = readRepoFile('docker-compose.yml');
const compose = parseCompose(composeText);
const prometheusConfig = parse(readRepoFile('deploy/prometheus/prometheus.yml')) as Parameters<
  typeof prometheusProblems
>[1];

const allChecks = (file: ComposeFile) => [
  ...missingServices(file),
  ...infraImageProblems(file),
  ...appServiceProblems(file),
  ...wiringProblems(file),
  ...healthProblems(file),
  ...publishedPortProblems(file),
  ...prometheusProblems(file, prometheusConfig),
  ...portabilityProblems(file),
];

/** A deep copy of the real compose file with one thing broken. */
function broken(change: (file: ComposeFile) => void): ComposeFile {
  const copy = structuredClone(compose);
  change(copy);
  return copy;
}

function env(file: ComposeFile, service: string): Record<string, unknown> {
  return file.services[service]!.environment as Record<string, unknown>;
}

describe('docker-compose.yml', () => {
  it('has every service the app needs, on the intended images', () => {
    expect(missingServices(compose)).toEqual([]);
    expect(infraImageProblems(compose)).toEqual([]);
  });

  it('runs each role as its own service built from the Dockerfile, setting only variables the app reads', () => {
    expect(appServiceProblems(compose)).toEqual([]);
  });

  it('points the database, replica, broker, Redis and OTLP URLs at the compose services it waits for', () => {
    expect(wiringProblems(compose)).toEqual([]);
  });

  it('gives every service a health check and waits for each dependency to be healthy', () => {
    expect(healthProblems(compose)).toEqual([]);
  });

  it('publishes the API and the UIs, and Prometheus scrapes /metrics of the api service', () => {
    expect(publishedPortProblems(compose)).toEqual([]);
    expect(prometheusProblems(compose, prometheusConfig)).toEqual([]);
  });

  it('uses only config and secret sources that docker-compose 1.29 reads', () => {
    expect(portabilityProblems(compose)).toEqual([]);
  });

  it('mounts and builds only files that exist', () => {
    const sources = Object.values(compose.services).flatMap((service) =>
      (service.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[0]! : (v.source ?? ''))),
    );
    const files = sources.filter((source) => source.startsWith('./'));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((file) => !existsSync(join(repoRoot, file)))).toEqual([]);
    expect(existsSync(join(repoRoot, 'Dockerfile'))).toBe(true);
  });

  it.each<[string, (file: ComposeFile) => void, RegExp]>([
    ['a missing service', (f) => delete f.services.redis, /service redis is missing/],
    ['PostgreSQL other than 15', (f) => (f.services.postgres!.image = 'postgres:16'), /postgres: image/],
    ['a wrong role', (f) => (env(f, 'relay').SAGAFLOW_ROLES = 'worker'), /relay: SAGAFLOW_ROLES is "worker"/],
    ['a misspelt variable', (f) => (env(f, 'worker').DATABSE_URL = 'x'), /worker: sets DATABSE_URL/],
    ['a role not built here', (f) => delete f.services.orchestrator!.build, /orchestrator: not built/],
    [
      'another Dockerfile',
      (f) => (f.services.api!.build = { dockerfile: 'x.Dockerfile' }),
      /api: not built from/,
    ],
    [
      'a URL to localhost',
      (f) => (env(f, 'api').AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672'),
      /api: AMQP_URL points at 127.0.0.1/,
    ],
    [
      'a replica URL to the primary',
      (f) => (env(f, 'worker').DATABASE_REPLICA_URLS = 'postgres://p@postgres:5432/s'),
      /points at postgres, not postgres-replica/,
    ],
    ['a URL missing', (f) => delete env(f, 'relay').REDIS_URL, /relay: REDIS_URL is not set/],
    ['no health check', (f) => delete f.services.jaeger!.healthcheck, /jaeger: no health check/],
    [
      'depends_on without condition',
      (f) => (f.services.api!.depends_on = ['postgres']),
      /api: depends_on lists/,
    ],
    [
      'depends_on service_started',
      (f) => (f.services['postgres-replica']!.depends_on = { postgres: { condition: 'service_started' } }),
      /postgres-replica: depends on postgres with condition service_started/,
    ],
    ['an unpublished UI', (f) => (f.services.rabbitmq!.ports = []), /rabbitmq: port 15672 is not published/],
    [
      'a role whose metrics stay on loopback',
      (f) => (env(f, 'worker').HOST = '127.0.0.1'),
      /worker: HOST keeps its \/metrics on the container's loopback/,
    ],
    [
      'a config from inline content',
      (f) => (f.configs = { token: { content: 'x' } }),
      /configs.token: "content" needs Compose 2.23\+/,
    ],
    [
      'a scrape token Prometheus is not given',
      (f) => delete env(f, 'prometheus').SAGAFLOW_METRICS_TOKEN,
      /prometheus: SAGAFLOW_METRICS_TOKEN is not the api's/,
    ],
    [
      'a scrape token file nothing writes',
      (f) => (f.services.prometheus!.command = ['exec /bin/prometheus']),
      /prometheus: nothing writes the token to \/prometheus\/metrics-token/,
    ],
  ])('catches %s', (_label, change, problem) => {
    expect(allChecks(compose)).toEqual([]);
    expect(allChecks(broken(change)).join('\n')).toMatch(problem);
  });

  it('catches a Prometheus config that does not scrape the api', () => {
    const elsewhere = { scrape_configs: [{ static_configs: [{ targets: ['worker:3000'] }] }] };
    expect(prometheusProblems(compose, elsewhere)).toEqual([
      'prometheus: nothing scrapes api:3000/metrics',
      'prometheus: nothing scrapes relay:9464/metrics',
      'prometheus: nothing scrapes orchestrator:9464/metrics',
      'prometheus: nothing scrapes worker:9464/metrics',
      'prometheus: the api asks for SAGAFLOW_METRICS_TOKEN but no scrape sends it',
    ]);
  });
});

describe('CONFIG_VARIABLES', () => {
  it('names every variable loadConfig reads', () => {
    const read = new Set<string>();
    const recording = new Proxy<NodeJS.ProcessEnv>(
      {},
      {
        get: (_target, name) => {
          if (typeof name === 'string') read.add(name);
          return undefined;
        },
      },
    );
    loadConfig(recording);
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((name) => !(CONFIG_VARIABLES as readonly string[]).includes(name))).toEqual([]);
  });
});

describe('.env.example', () => {
  const entries = parseEnvExample(readRepoFile('.env.example'));
  const names = new Set(entries.map((e) => e.name));
  const interpolated = interpolatedNames(composeText);

  it('lists every variable Sagaflow reads and every value docker-compose.yml interpolates', () => {
    expect(CONFIG_VARIABLES.filter((name) => !names.has(name))).toEqual([]);
    expect([...interpolated.keys()].filter((name) => !names.has(name))).toEqual([]);
    const known = new Set<string>([...CONFIG_VARIABLES, ...OTEL_VARIABLES, ...interpolated.keys()]);
    expect([...names].filter((name) => !known.has(name))).toEqual([]);
  });

  it("gives loadConfig's defaults and compose's inline defaults", () => {
    const active = Object.fromEntries(entries.filter((e) => !e.commented).map((e) => [e.name, e.value]));
    const { instanceId: _ignored, ...fromExample } = loadConfig(active);
    const { instanceId: _random, ...defaults } = loadConfig({});
    expect(fromExample).toEqual(defaults);
    const mismatched = entries.filter(
      (e) => !e.commented && interpolated.has(e.name) && (interpolated.get(e.name) ?? '') !== e.value,
    );
    expect(mismatched).toEqual([]);
  });
});
