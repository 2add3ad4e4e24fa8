import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import type { Command } from 'commander';
import type { CliIo } from '../../../../src/interfaces/cli/cli-io.js';
import { CommandKit } from '../../../../src/interfaces/cli/command-kit.js';
import type { ServerOptions } from '../../../../src/interfaces/cli/commands/server.js';
import { createProgram, runCli } from '../../../../src/interfaces/cli/program.js';
import { Capture } from '../watch/capture.js';

/**
 * What the CLI unit tests share: in-memory streams for `io`, a way to run one command line
 * in-process with an environment the test controls, and a fake Sagaflow API on loopback
 * (a `node:http` peer) that records every request and answers what the test set up.
 */

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** What `sagaflow server` was asked to start, once per call. */
  started: ServerOptions[];
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Whether stdout poses as a terminal. */
  tty?: boolean;
  cwd?: string;
}

/** Runs `sagaflow <argv>` in-process. The environment is only what `options.env` holds. */
export async function cli(argv: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const stdout = new Capture(options.tty === true);
  const stderr = new Capture();
  const started: ServerOptions[] = [];
  const io: CliIo = { stdout, stderr, env: options.env ?? {}, cwd: options.cwd ?? tmpdir() };
  const code = await runCli(argv, {
    io,
    version: '9.8.7',
    startServer: async (serverOptions) => {
      started.push(serverOptions);
    },
  });
  return { code, stdout: stdout.text, stderr: stderr.text, started };
}

/** The command tree `runCli` runs, built the same way, to walk rather than to list by hand. */
export function buildProgram(): Command {
  const io: CliIo = { stdout: new Capture(), stderr: new Capture(), env: {}, cwd: tmpdir() };
  return createProgram({ io, version: '9.8.7', startServer: async () => {} }, new CommandKit(io));
}

/** Every command's path below the program: `[]`, `['runs']`, `['runs', 'list']`, … */
export function commandPaths(program: Command = buildProgram()): string[][] {
  const paths: string[][] = [];
  const visit = (command: Command, path: string[]) => {
    paths.push(path);
    for (const child of command.commands) visit(child, [...path, child.name()]);
  };
  visit(program, []);
  return paths;
}

/** One request as the fake API received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when none was sent. */
  body: unknown;
}

/** What the fake API answers: a status, a JSON body (none for `undefined`) and its content type. */
export interface CannedAnswer {
  status: number;
  body?: unknown;
  contentType?: string;
}

export const json = (body: unknown, status = 200): CannedAnswer => ({ status, body });

export const problem = (status: number, document: Record<string, unknown>): CannedAnswer => ({
  status,
  body: document,
  contentType: 'application/problem+json',
});

/** A fake Sagaflow API: `METHOD /path` → answer; anything else is a 404 problem naming the route. */
export class FakeApi {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, CannedAnswer>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const url = new URL(request.url ?? '/', 'http://fake');
        const text = Buffer.concat(chunks).toString('utf8');
        const method = request.method ?? 'GET';
        this.requests.push({
          method,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: request.headers,
          body: text === '' ? undefined : (JSON.parse(text) as unknown),
        });
        const answer = this.routes.get(`${method} ${url.pathname}`) ?? {
          status: 404,
          body: { status: 404, title: 'Not Found', detail: `no route ${method} ${url.pathname}` },
          contentType: 'application/problem+json',
        };
        const headers = { 'content-type': answer.contentType ?? 'application/json' };
        if (answer.body === undefined) response.writeHead(answer.status, headers).end();
        else response.writeHead(answer.status, headers).end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  /** Sets what `METHOD /path` answers from now on. */
  on(route: string, answer: CannedAnswer): void {
    this.routes.set(route, answer);
  }

  /** Forgets the routes and the recorded requests (between tests). */
  reset(): void {
    this.routes.clear();
    this.requests.splice(0);
  }

  /** The one request recorded since the last reset. */
  only(): RecordedRequest {
    if (this.requests.length !== 1) {
      throw new Error(`expected exactly one request, got ${this.requests.length}`);
    }
    return this.requests[0]!;
  }

  /** Runs `sagaflow <argv>` with SAGAFLOW_URL pointing here (unless `env` sets it otherwise). */
  cli(argv: readonly string[], options: RunOptions = {}): Promise<CliResult> {
    return cli(argv, { ...options, env: { SAGAFLOW_URL: this.url, ...options.env } });
  }
}

/** A loopback URL nothing listens on: a port that was just free. */
export async function unusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** Any ANSI escape sequence (CSI or a lone ESC). */
// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b/;

/** Fixtures in the shapes of the API's answers (src/application/contracts/schemas). */
export const RUN_ID = '0b6f3c1e-5d2a-4c8e-9f10-2a3b4c5d6e7f';

export function runSummary(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: RUN_ID,
    namespace: 'default',
    definition: { name: 'order-saga', version: 1 },
    status: 'FAILED',
    error: { taskKey: 'charge', message: 'card declined' },
    createdAt: '2026-12-04T19:00:00.000Z',
    startedAt: '2026-12-04T19:00:00.000Z',
    finishedAt: '2026-12-04T19:00:04.200Z',
    ...fields,
  };
}

export function run(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...runSummary(),
    input: { orderId: 'o-1' },
    output: null,
    tasks: [
      {
        key: 'reserve',
        type: 'echo',
        dependsOn: [],
        status: 'COMPENSATED',
        attempts: 1,
        output: null,
        error: null,
        queuedAt: '2026-12-04T19:00:00.000Z',
        startedAt: '2026-12-04T19:00:00.010Z',
        finishedAt: '2026-12-04T19:00:00.130Z',
        compensation: {
          status: 'COMPLETED',
          attempts: 1,
          output: null,
          error: null,
          startedAt: '2026-12-04T19:00:04.000Z',
          finishedAt: '2026-12-04T19:00:04.100Z',
        },
      },
      {
        key: 'charge',
        type: 'http',
        dependsOn: ['reserve'],
        status: 'FAILED',
        attempts: 3,
        output: null,
        error: { message: 'card declined', code: 'fatal' },
        queuedAt: '2026-12-04T19:00:00.200Z',
        startedAt: '2026-12-04T19:00:00.210Z',
        finishedAt: '2026-12-04T19:00:03.900Z',
        compensation: null,
      },
    ],
    ...fields,
  };
}

export function definition(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    namespace: 'default',
    name: 'order-saga',
    version: 1,
    description: 'reserve, charge, ship',
    tasks: [
      {
        key: 'reserve',
        type: 'echo',
        dependsOn: [],
        retry: { maxAttempts: 3 },
        timeoutMs: 30_000,
        compensation: { type: 'echo' },
      },
    ],
    output: null,
    createdAt: '2026-12-04T18:00:00.000Z',
    ...fields,
  };
}
