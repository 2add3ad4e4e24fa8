import { Command, CommanderError } from 'commander';
import type { CliIo } from './cli-io.js';
import { CommandKit, examples } from './command-kit.js';
import { apiKeysCommand } from './commands/api-keys.js';
import { completionCommand } from './commands/completion.js';
import { deadLettersCommand } from './commands/dead-letters.js';
import { definitionsCommand } from './commands/definitions.js';
import { eventsCommand } from './commands/events.js';
import { runsCommand } from './commands/runs.js';
import { schedulesCommand } from './commands/schedules.js';
import { serverCommand, type ServerOptions } from './commands/server.js';
import { describeFailure, EXIT, exitCodeOf } from './failures.js';

export interface CliDependencies {
  io: CliIo;
  /** The package version, for `--version`. */
  version: string;
  /** `sagaflow server`: starts the roles (src/cli.ts loads the application only then). */
  startServer: (options: ServerOptions) => Promise<void>;
}

/** The `sagaflow` command tree (docs/cli.md). */
export function createProgram(dependencies: CliDependencies, kit: CommandKit): Command {
  const { io } = dependencies;
  const program = new Command('sagaflow')
    .description(
      'Sagaflow: DAG workflows with saga compensation. Every command but `server` talks to the REST API.',
    )
    .version(dependencies.version, '-V, --version')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(text.startsWith('error: ') ? `sagaflow: ${text.slice(7)}` : text),
    })
    .enablePositionalOptions()
    .exitOverride()
    .showSuggestionAfterError()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `${examples(
        'sagaflow definitions register examples/order-saga/definition.json',
        'sagaflow runs start order-saga --input @examples/order-saga/order.json --wait',
        'sagaflow runs list --status FAILED --json',
      )}
Connection: --url (SAGAFLOW_URL, default http://127.0.0.1:3000), --api-key (SAGAFLOW_API_KEY),
--namespace (SAGAFLOW_NAMESPACE). Exit codes: 0 ok, 1 error, 2 usage, 3 a waited run ended other than COMPLETED.
`,
    );
  serverCommand(program, dependencies.startServer);
  definitionsCommand(program, kit);
  runsCommand(program, kit);
  eventsCommand(program, kit);
  deadLettersCommand(program, kit);
  apiKeysCommand(program, kit);
  schedulesCommand(program);
  completionCommand(program, (text) => io.stdout.write(text));
  return program;
}

/**
 * Runs one command line (`argv` without node and the script) and resolves its exit code
 * (docs/cli.md#exit-codes): 0 ok, 1 the API or a file said no, 2 the command line is wrong, 3 a
 * watched run ended other than COMPLETED. Every failure is one line on stderr.
 */
export async function runCli(argv: readonly string[], dependencies: CliDependencies): Promise<number> {
  const kit = new CommandKit(dependencies.io);
  const program = createProgram(dependencies, kit);
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return kit.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end as "errors" too; commander has printed the message already.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    dependencies.io.stderr.write(`sagaflow: ${describeFailure(error)}\n`);
    return exitCodeOf(error);
  }
}
