import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parse } from 'yaml';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

export function readRepoFile(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}

export type EnvValue = string | number | boolean | null;

export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, EnvValue> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: (string | number | { target?: number })[];
  volumes?: (string | { source?: string; target?: string })[];
  entrypoint?: string | string[];
  command?: string | string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  configs?: Record<string, Record<string, unknown>>;
  secrets?: Record<string, Record<string, unknown>>;
}

/** Parses a compose file as compose does: YAML merge keys (`<<: *anchor`) are resolved. */
export function parseCompose(text: string): ComposeFile {
  return parse(text, { merge: true }) as ComposeFile;
}

export function loadCompose(): ComposeFile {
  return parseCompose(readRepoFile('docker-compose.yml'));
}

/** Compose interpolation with no `.env`: `${NAME:-default}` and `${NAME-default}` give the default. */
export function interpolate(value: string): string {
  return value
    .replace(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g,
      (_match, _name, fallback?: string) => fallback ?? '',
    )
    .replace(/\$\$/g, '$');
}

/** Names that docker-compose.yml takes from the environment / `.env`, with their inline defaults. */
export function interpolatedNames(text: string): Map<string, string | undefined> {
  const names = new Map<string, string | undefined>();
  for (const match of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g)) {
    names.set(match[1]!, match[2]);
  }
  return names;
}

/** A service's environment as name → interpolated value, whichever of the two compose forms it uses. */
export function environmentOf(service: ComposeService): Record<string, string> {
  const env: Record<string, string> = {};
  const raw = service.environment ?? {};
  const entries = Array.isArray(raw)
    ? raw.map((item) => {
        const at = item.indexOf('=');
        return at < 0 ? [item, ''] : [item.slice(0, at), item.slice(at + 1)];
      })
    : Object.entries(raw).map(([name, value]) => [name, value === null ? '' : String(value)]);
  for (const [name, value] of entries) env[name!] = interpolate(value!);
  return env;
}

/** Container ports a service publishes on the host (`"host:container"`, `"container"`, long form). */
export function publishedPorts(service: ComposeService): number[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'number') return port;
    if (typeof port === 'object') return port.target ?? NaN;
    const spec = interpolate(port).split('/')[0]!;
    return Number(spec.split(':').at(-1));
  });
}

export interface EnvExampleEntry {
  name: string;
  value: string;
  /** Commented out: the variable has no default. */
  commented: boolean;
}

/** `NAME=value` lines of .env.example, and `# NAME=example` lines of variables without a default. */
export function parseEnvExample(text: string): EnvExampleEntry[] {
  const entries: EnvExampleEntry[] = [];
  for (const line of text.split('\n')) {
    const match = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) entries.push({ name: match[2]!, value: match[3]!, commented: match[1] !== undefined });
  }
  return entries;
}
