import type { Command } from 'commander';
import { examples } from '../command-kit.js';
import { CliFailure } from '../failures.js';

/**
 * `sagaflow schedules …`: the commands of docs/cli.md#schedules, present so that `--help` and
 * completion show them, each saying that this version has no schedules yet (exit 1) rather than
 * being an unknown command.
 */
export function schedulesCommand(program: Command): void {
  const schedules = program
    .command('schedules')
    .description('cron schedules that start runs (not in this version yet)')
    .addHelpText('after', examples('sagaflow schedules list'));
  const unavailable = () => {
    throw new CliFailure('schedules are not in this version of Sagaflow yet (docs/cli.md#schedules)');
  };
  const commands: [name: string, argument: string | null, description: string, example: string][] = [
    ['list', null, 'the schedules of this namespace', 'sagaflow schedules list'],
    ['show', '<name>', 'one schedule with its next fire times', 'sagaflow schedules show nightly-report'],
    [
      'create',
      '<file>',
      'create a schedule from a JSON or YAML file',
      'sagaflow schedules create nightly.yaml',
    ],
    ['pause', '<name>', 'stop firing until resumed', 'sagaflow schedules pause nightly-report'],
    ['resume', '<name>', 'fire again', 'sagaflow schedules resume nightly-report'],
    ['trigger', '<name>', 'start one run now', 'sagaflow schedules trigger nightly-report'],
    ['delete', '<name>', 'delete a schedule', 'sagaflow schedules delete nightly-report'],
  ];
  for (const [name, argument, description, example] of commands) {
    const command = schedules.command(name).description(description).addHelpText('after', examples(example));
    if (argument) command.argument(argument);
    command.action(unavailable);
  }
}
