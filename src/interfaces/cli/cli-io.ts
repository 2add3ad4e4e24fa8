import type { WatchOutput } from './watch/watch-display.js';

/**
 * What a CLI invocation reads and writes, passed in rather than taken from `process`, so the
 * unit tests run commands in-process with their own streams and environment.
 */
export interface CliIo {
  stdout: WatchOutput;
  stderr: NodeJS.WritableStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Relative file arguments (`register <file>`, `--input @file`) are read from here. */
  cwd: string;
  /** Aborted on SIGINT/SIGTERM: a waiting command (`runs watch`, `runs start --wait`) stops. */
  signal?: AbortSignal;
}
