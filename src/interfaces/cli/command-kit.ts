import { InvalidArgumentError, type Command } from 'commander';
import { ApiClient, DEFAULT_API_URL } from './api-client.js';
import type { CliIo } from './cli-io.js';
import { UsageError } from './failures.js';
import { Output } from './output.js';

/**
 * What every command shares: the connection options, resolved into an {@link ApiClient} and an
 * {@link Output} (docs/cli.md#connecting), and the wrapper that turns a command's work into its
 * exit code.
 *
 * The connection options are added to each command that talks to the API rather than once to the
 * program: commander lets a program option appear anywhere on the line, so a global `--namespace`
 * would swallow the one `api-keys create` takes for the namespaces a key is granted.
 */

interface ConnectionOptions {
  url?: string;
  apiKey?: string;
  namespace?: string;
  json?: boolean;
  color: boolean;
}

export interface CommandContext {
  client: ApiClient;
  out: Output;
  io: CliIo;
}

/** A command's work: resolves its exit code (nothing: 0). */
export type CommandRun<A extends unknown[]> = (context: CommandContext, ...args: A) => Promise<number | void>;

export class CommandKit {
  /** The exit code of the command that ran; commander's own outcomes are mapped in runCli. */
  exitCode = 0;

  constructor(readonly io: CliIo) {}

  /**
   * `command` talks to the API: adds `--url`, `--api-key`, `--namespace` (unless the command uses
   * that name itself), `--json` and `--no-color`, then runs `run` with the positional arguments
   * and the command's own options.
   */
  api<A extends unknown[]>(
    command: Command,
    run: CommandRun<A>,
    options: { namespaceOption?: boolean } = {},
  ): Command {
    command
      .option('--url <url>', `the Sagaflow API (env SAGAFLOW_URL, default ${DEFAULT_API_URL})`)
      .option('--api-key <key>', 'API key sent as `Authorization: ApiKey <key>` (env SAGAFLOW_API_KEY)');
    if (options.namespaceOption !== false) {
      command.option(
        '--namespace <name>',
        "namespace to act in (env SAGAFLOW_NAMESPACE; default: the key's own)",
      );
    }
    command
      .option('--json', "print the API's JSON as it answered, one document on stdout")
      .option('--no-color', 'never colour the output (also when NO_COLOR is set)');
    return command.action(async (...received: unknown[]) => {
      const self = received.at(-1) as Command;
      const positional = received.slice(0, -2);
      const context = this.context(self.opts<ConnectionOptions>(), options.namespaceOption !== false);
      this.exitCode = (await run(context, ...([...positional, self.opts()] as A))) ?? 0;
    });
  }

  private context(options: ConnectionOptions, namespaceOption: boolean): CommandContext {
    const { env } = this.io;
    const url = options.url ?? nonEmpty(env.SAGAFLOW_URL) ?? DEFAULT_API_URL;
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new UsageError(`--url (or SAGAFLOW_URL) is not an http(s) URL: ${url}`);
    }
    const client = new ApiClient({
      url,
      apiKey: options.apiKey ?? nonEmpty(env.SAGAFLOW_API_KEY),
      namespace: (namespaceOption ? options.namespace : undefined) ?? nonEmpty(env.SAGAFLOW_NAMESPACE),
    });
    const color = options.color && this.io.stdout.isTTY === true && !nonEmpty(env.NO_COLOR);
    return { client, out: new Output(this.io, options.json === true, color), io: this.io };
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** `.addHelpText('after', …)` for a command: every command's `--help` ends with examples. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

/** An option value that must be a whole number in `[min, max]`. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^-?\d+$/.test(value) || number < min || number > max) {
      throw new InvalidArgumentError(
        `must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}`,
      );
    }
    return number;
  };
}

/** A repeatable option (`--role operator --role viewer`, or `--role operator,viewer`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ];
}

/** A path segment for the API: ids and names are sent encoded, whatever they hold. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
