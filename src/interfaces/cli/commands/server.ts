import type { Command } from 'commander';
import { examples } from '../command-kit.js';

export interface ServerOptions {
  /** `--roles`: set as SAGAFLOW_ROLES before the roles start. */
  roles?: string;
}

/**
 * `sagaflow server`: runs the roles, as `npm start` does (docs/contract.md#processes-and-roles).
 * Starting them is the composition root's (src/cli.ts passes `start`), so this layer does not
 * import the application it runs.
 */
export function serverCommand(program: Command, start: (options: ServerOptions) => Promise<void>): void {
  program
    .command('server')
    .description('run Sagaflow: the roles in SAGAFLOW_ROLES (default all), configured from the environment')
    .option(
      '--roles <roles>',
      'comma-separated roles to run (api, relay, orchestrator, worker); sets SAGAFLOW_ROLES',
    )
    .addHelpText(
      'after',
      examples(
        'sagaflow server',
        'sagaflow server --roles worker',
        'DATABASE_URL=postgres://… sagaflow server --roles api',
      ),
    )
    .action((options: ServerOptions) => start(options));
}
