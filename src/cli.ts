#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { runCli } from './interfaces/cli/program.js';

/**
 * The `sagaflow` bin (docs/cli.md). `sagaflow server` loads and runs the roles (main.ts, what
 * `npm start` runs); every other command only talks to the REST API, so it loads no NestJS, no
 * database driver and starts in a few tens of milliseconds.
 */
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (serving) return;
    stop.abort(new Error(`stopped by ${signal}`));
    // A command that does not follow the signal (a request in flight) is not waited for long.
    setTimeout(() => process.exit(130), 1_000).unref();
  });
}
let serving = false;

const code = await runCli(process.argv.slice(2), {
  io: {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: stop.signal,
  },
  version: packageVersion(),
  startServer: async ({ roles }) => {
    serving = true;
    if (roles !== undefined) process.env.SAGAFLOW_ROLES = roles;
    // main.ts installs its own signal handling and keeps the process alive while the roles run.
    await import('./main.js');
  },
});
process.exitCode = stop.signal.aborted ? 130 : code;

/** The version in package.json: one level up from src/cli.ts, two from dist/src/cli.js. */
function packageVersion(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'sagaflow' && manifest.version) return manifest.version;
    } catch {
      // not at this level: try the next
    }
  }
  return 'unknown';
}
