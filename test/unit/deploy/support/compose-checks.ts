import { ROLES } from '../../../../src/infrastructure/config/app-config.js';
import { CONFIG_VARIABLES } from '../../../../src/infrastructure/config/config-variables.js';
import {
  environmentOf,
  interpolate,
  publishedPorts,
  type ComposeFile,
  type ComposeService,
} from './deploy-files.js';

// Each check returns the problems it finds (empty: fine), so a test can show both that the real
// files pass and that a broken copy is caught.

/** Standard OpenTelemetry SDK variables (OTel specification, "Environment Variable Specification"). */
export const OTEL_VARIABLES = [
  'OTEL_SDK_DISABLED',
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_LOG_LEVEL',
  'OTEL_PROPAGATORS',
  'OTEL_TRACES_EXPORTER',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TIMEOUT',
  'OTEL_EXPORTER_OTLP_COMPRESSION',
  'OTEL_BSP_SCHEDULE_DELAY',
  'OTEL_BSP_EXPORT_TIMEOUT',
  'OTEL_BSP_MAX_QUEUE_SIZE',
  'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
] as const;

/** Variables an app service may set: what the app reads, plus the standard OTel ones. */
export const APP_VARIABLES: ReadonlySet<string> = new Set([...CONFIG_VARIABLES, ...OTEL_VARIABLES]);

/** The infrastructure services, by the image each must run. */
export const INFRA_SERVICES = {
  postgres: /^postgres:15([.-]|$)/,
  'postgres-replica': /^postgres:15([.-]|$)/,
  rabbitmq: /^rabbitmq:[\d.]+-management/,
  redis: /^redis:/,
  jaeger: /^jaegertracing\/all-in-one:/,
  prometheus: /^prom\/prometheus:/,
} as const;

/** App variables that name another service, the service each must point at, and its port (OTLP: HTTP). */
const WIRING = [
  { variable: 'DATABASE_URL', service: 'postgres', port: 5432 },
  { variable: 'DATABASE_REPLICA_URLS', service: 'postgres-replica', port: 5432 },
  { variable: 'AMQP_URL', service: 'rabbitmq', port: 5672 },
  { variable: 'REDIS_URL', service: 'redis', port: 6379 },
  { variable: 'OTEL_EXPORTER_OTLP_ENDPOINT', service: 'jaeger', port: 4318 },
] as const;

export function missingServices(compose: ComposeFile): string[] {
  const wanted = [...Object.keys(INFRA_SERVICES), ...ROLES];
  return wanted.filter((name) => !compose.services?.[name]).map((name) => `service ${name} is missing`);
}

export function infraImageProblems(compose: ComposeFile): string[] {
  return Object.entries(INFRA_SERVICES).flatMap(([name, image]) => {
    const actual = compose.services[name]?.image ?? '';
    return image.test(actual) ? [] : [`${name}: image "${actual}" does not match ${String(image)}`];
  });
}

function buildProblems(name: string, service: ComposeService): string[] {
  const build = typeof service.build === 'string' ? { context: service.build } : service.build;
  if (!build) return [`${name}: not built from the Dockerfile`];
  const problems: string[] = [];
  if ((build.context ?? '.').replace(/\/$/, '') !== '.')
    problems.push(`${name}: build context is not the repo root`);
  if ((build.dockerfile ?? 'Dockerfile') !== 'Dockerfile')
    problems.push(`${name}: not built from ./Dockerfile`);
  return problems;
}

/** Each role is its own service, built from the Dockerfile, with SAGAFLOW_ROLES set to that role. */
export function appServiceProblems(compose: ComposeFile): string[] {
  return ROLES.flatMap((role) => {
    const service = compose.services[role];
    if (!service) return [`service ${role} is missing`];
    const env = environmentOf(service);
    const problems = buildProblems(role, service);
    if (env.SAGAFLOW_ROLES !== role) problems.push(`${role}: SAGAFLOW_ROLES is "${env.SAGAFLOW_ROLES}"`);
    for (const name of Object.keys(env)) {
      if (!APP_VARIABLES.has(name)) problems.push(`${role}: sets ${name}, which the app does not read`);
    }
    return problems;
  });
}

function dependsOn(service: ComposeService): string[] {
  const deps = service.depends_on ?? [];
  return Array.isArray(deps) ? deps : Object.keys(deps);
}

/** The URLs of each app service point at the compose services (and it waits for them). */
export function wiringProblems(compose: ComposeFile): string[] {
  return ROLES.flatMap((role) => {
    const service = compose.services[role];
    if (!service) return [];
    const env = environmentOf(service);
    return WIRING.flatMap(({ variable, service: target, port: httpPort }) => {
      const grpc = variable === 'OTEL_EXPORTER_OTLP_ENDPOINT' && env.OTEL_EXPORTER_OTLP_PROTOCOL === 'grpc';
      const port = grpc ? 4317 : httpPort;
      const value = env[variable];
      if (!value) return [`${role}: ${variable} is not set`];
      return value.split(',').flatMap((item) => {
        let url: URL;
        try {
          url = new URL(item.trim());
        } catch {
          return [`${role}: ${variable} "${item}" is not a URL`];
        }
        const problems: string[] = [];
        if (url.hostname !== target)
          problems.push(`${role}: ${variable} points at ${url.hostname}, not ${target}`);
        if (Number(url.port) !== port)
          problems.push(`${role}: ${variable} uses port ${url.port}, not ${port}`);
        if (!dependsOn(service).includes(target)) problems.push(`${role}: does not depend on ${target}`);
        return problems;
      });
    });
  });
}

/** Every service has a health check, and every dependency waits for it (service_healthy). */
export function healthProblems(compose: ComposeFile): string[] {
  return Object.entries(compose.services).flatMap(([name, service]) => {
    const problems: string[] = [];
    const test = service.healthcheck?.test;
    if (service.healthcheck?.disable || !test || (Array.isArray(test) && test[0] === 'NONE')) {
      problems.push(`${name}: no health check`);
    }
    const deps = service.depends_on ?? {};
    if (Array.isArray(deps)) {
      if (deps.length > 0) problems.push(`${name}: depends_on lists services without a condition`);
      return problems;
    }
    for (const [dep, { condition } = {}] of Object.entries(deps)) {
      if (!compose.services[dep]) problems.push(`${name}: depends on unknown service ${dep}`);
      if (compose.services[dep]?.healthcheck && condition !== 'service_healthy') {
        problems.push(`${name}: depends on ${dep} with condition ${condition}, not service_healthy`);
      }
    }
    return problems;
  });
}

/** The UIs are published on the host: API, RabbitMQ management, Jaeger (and OTLP in), Prometheus. */
export function publishedPortProblems(compose: ComposeFile): string[] {
  const wanted: Record<string, number[]> = {
    api: [3000],
    rabbitmq: [15672],
    jaeger: [16686, 4317, 4318],
    prometheus: [9090],
  };
  return Object.entries(wanted).flatMap(([name, ports]) => {
    const published = publishedPorts(compose.services[name] ?? {});
    return ports
      .filter((port) => !published.includes(port))
      .map((port) => `${name}: port ${port} is not published`);
  });
}

interface ScrapeConfig {
  metrics_path?: string;
  static_configs?: { targets?: string[] }[];
  dns_sd_configs?: { names?: string[]; port?: number }[];
  authorization?: { type?: string; credentials_file?: string };
}

/** Prometheus mounts deploy/prometheus/prometheus.yml, which scrapes /metrics on the api service's port. */
export function prometheusProblems(
  compose: ComposeFile,
  config: { scrape_configs?: ScrapeConfig[] },
): string[] {
  const problems: string[] = [];
  const mounts = (compose.services.prometheus?.volumes ?? []).map((v) =>
    typeof v === 'string' ? v : v.source,
  );
  if (!mounts.some((m) => m?.startsWith('./deploy/prometheus/prometheus.yml:'))) {
    problems.push('prometheus: deploy/prometheus/prometheus.yml is not mounted');
  }
  const apiPort = environmentOf(compose.services.api ?? {}).PORT ?? '3000';
  const targets = (config.scrape_configs ?? [])
    .filter((job) => (job.metrics_path ?? '/metrics') === '/metrics')
    .flatMap((job) => [
      ...(job.static_configs ?? []).flatMap((s) => s.targets ?? []),
      ...(job.dns_sd_configs ?? []).flatMap((d) => (d.names ?? []).map((n) => `${n}:${d.port}`)),
    ]);
  if (!targets.includes(`api:${apiPort}`))
    problems.push(`prometheus: nothing scrapes api:${apiPort}/metrics`);
  // Every other role serves /metrics on SAGAFLOW_METRICS_PORT (default 9464).
  for (const role of ROLES.filter((r) => r !== 'api')) {
    const env = environmentOf(compose.services[role] ?? {});
    const port = env.SAGAFLOW_METRICS_PORT ?? '9464';
    if (!targets.includes(`${role}:${port}`))
      problems.push(`prometheus: nothing scrapes ${role}:${port}/metrics`);
    if (!env.HOST || /^(127\.|localhost$|::1$)/.test(env.HOST)) {
      problems.push(`${role}: HOST keeps its /metrics on the container's loopback`);
    }
  }
  // With a metrics token the api refuses a scrape without it.
  const apiToken = environmentOf(compose.services.api ?? {}).SAGAFLOW_METRICS_TOKEN;
  const tokenFiles = (config.scrape_configs ?? []).flatMap(
    (job) => job.authorization?.credentials_file ?? [],
  );
  if (apiToken && tokenFiles.length === 0) {
    problems.push('prometheus: the api asks for SAGAFLOW_METRICS_TOKEN but no scrape sends it');
  }
  if (apiToken && tokenFiles.length > 0)
    problems.push(...metricsTokenFileProblems(compose, apiToken, tokenFiles));
  return problems;
}

/** The prometheus service writes the api's token to every file a scrape reads it from. */
function metricsTokenFileProblems(compose: ComposeFile, apiToken: string, files: string[]): string[] {
  const prometheus = compose.services.prometheus ?? {};
  const problems: string[] = [];
  if (environmentOf(prometheus).SAGAFLOW_METRICS_TOKEN !== apiToken) {
    problems.push("prometheus: SAGAFLOW_METRICS_TOKEN is not the api's");
  }
  const command = interpolate([prometheus.command ?? []].flat().join(' '));
  for (const file of files) {
    if (!command.includes(`"$SAGAFLOW_METRICS_TOKEN" > ${file}`)) {
      problems.push(`prometheus: nothing writes the token to ${file}`);
    }
  }
  return problems;
}

// What docker-compose 1.29.2 (Debian's, which CI validates with) accepts for a config or secret:
// `content:` and `environment:` sources came with Compose 2.23.
const PORTABLE_SOURCE_KEYS = new Set(['file', 'external', 'name']);

/** Top-level configs and secrets use only sources every Compose version we validate with reads. */
export function portabilityProblems(compose: ComposeFile): string[] {
  return (['configs', 'secrets'] as const).flatMap((section) =>
    Object.entries(compose[section] ?? {}).flatMap(([name, entry]) =>
      Object.keys(entry)
        .filter((key) => !PORTABLE_SOURCE_KEYS.has(key) && !key.startsWith('x-'))
        .map((key) => `${section}.${name}: "${key}" needs Compose 2.23+; use a file or write it at start`),
    ),
  );
}
