import type { Command } from 'commander';
import type { Static } from 'typebox';
import type {
  Definition,
  DefinitionList,
  RegisteredDefinition,
  ValidationReport,
} from '../../../application/contracts/schemas/definitions.js';
import { examples, integer, segment, type CommandContext, type CommandKit } from '../command-kit.js';
import { CliFailure } from '../failures.js';
import { readDocument } from '../local-files.js';
import { formatDuration, printable } from '../watch/terminal-text.js';

type DefinitionJson = Static<typeof Definition>;

/** `sagaflow definitions list|show|register|validate` (docs/cli.md#definitions). */
export function definitionsCommand(program: Command, kit: CommandKit): void {
  const definitions = program
    .command('definitions')
    .description('register, validate and read workflow definitions')
    .addHelpText(
      'after',
      examples('sagaflow definitions list', 'sagaflow definitions register order-saga.json'),
    );

  kit
    .api(definitions.command('list').description('the latest version of each definition'), list)
    .addHelpText('after', examples('sagaflow definitions list', 'sagaflow definitions list --json'));

  kit
    .api(
      definitions
        .command('show')
        .description('one definition: the latest version, or --version N')
        .argument('<name>', 'definition name')
        .option('--version <n>', 'that version instead of the latest', integer(1)),
      show,
    )
    .addHelpText(
      'after',
      examples('sagaflow definitions show order-saga', 'sagaflow definitions show order-saga --version 2'),
    );

  kit
    .api(
      definitions
        .command('register')
        .description('register a definition from a JSON or YAML file (a new version unless identical)')
        .argument('<file>', 'JSON, or YAML when it ends in .yaml/.yml; - reads stdin'),
      register,
    )
    .addHelpText('after', examples('sagaflow definitions register examples/order-saga/definition.json'));

  kit
    .api(
      definitions
        .command('validate')
        .description('check a definition file without storing it; prints its execution plan')
        .argument('<file>', 'JSON, or YAML when it ends in .yaml/.yml; - reads stdin'),
      validate,
    )
    .addHelpText('after', examples('sagaflow definitions validate order-saga.yaml'));
}

async function list({ client, out }: CommandContext): Promise<void> {
  const { body } = await client.get<Static<typeof DefinitionList>>('/v1/definitions');
  if (out.json) return out.document(body);
  out.table(
    body.items,
    [
      { header: 'NAME', value: (row) => row.name },
      { header: 'VERSION', value: (row) => row.version, align: 'right' },
      { header: 'TASKS', value: (row) => row.tasks.length, align: 'right' },
      { header: 'CREATED', value: (row) => row.createdAt },
      { header: 'DESCRIPTION', value: (row) => row.description },
    ],
    'no definitions',
  );
}

async function show(
  { client, out }: CommandContext,
  name: string,
  options: { version?: number },
): Promise<void> {
  const path =
    options.version === undefined
      ? `/v1/definitions/${segment(name)}`
      : `/v1/definitions/${segment(name)}/versions/${options.version}`;
  const { body } = await client.get<DefinitionJson>(path);
  if (out.json) return out.document(body);
  printDefinition(out, body);
}

async function register({ client, out, io }: CommandContext, file: string): Promise<void> {
  const definition = await readDocument(io.cwd, file);
  const { status, body } = await client.post<Static<typeof RegisteredDefinition>>('/v1/definitions', {
    body: definition,
  });
  if (out.json) return out.document(body);
  out.line(
    status === 201
      ? `registered ${body.name} version ${body.version}`
      : `${body.name} version ${body.version} is already registered, identical`,
  );
  printWarnings(out, body.warnings);
}

async function validate({ client, out, io }: CommandContext, file: string): Promise<number> {
  const definition = await readDocument(io.cwd, file);
  const { body } = await client.post<ValidationReport>('/v1/definitions/validate', { body: definition });
  if (out.json) {
    out.document(body);
    return body.valid ? 0 : 1;
  }
  if (!body.valid) {
    throw new CliFailure(
      `${file} is not a valid definition: ${body.errors.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    );
  }
  out.line(out.paint('valid', 'green'));
  body.plan?.levels.forEach((level, index) =>
    out.line(printable(`  level ${index + 1}: ${level.join(', ')}`)),
  );
  if (body.plan && body.plan.compensation.length > 0) {
    out.line(
      printable(
        `  compensation order: ${body.plan.compensation.map((level) => level.join(', ')).join(' → ')}`,
      ),
    );
  }
  printWarnings(out, body.warnings);
  return 0;
}

function printDefinition(out: CommandContext['out'], definition: DefinitionJson): void {
  out.fields([
    ['name', definition.name],
    ['version', definition.version],
    ['namespace', definition.namespace],
    ['description', definition.description],
    ['created', definition.createdAt],
  ]);
  out.line();
  out.table(
    definition.tasks,
    [
      { header: 'TASK', value: (task) => task.key },
      { header: 'TYPE', value: (task) => task.type },
      { header: 'DEPENDS ON', value: (task) => task.dependsOn.join(', ') },
      { header: 'ATTEMPTS', value: (task) => task.retry.maxAttempts, align: 'right' },
      {
        header: 'TIMEOUT',
        value: (task) => (task.timeoutMs === null ? null : formatDuration(task.timeoutMs)),
      },
      { header: 'COMPENSATION', value: (task) => task.compensation?.type },
    ],
    'no tasks',
  );
}

/** Task types no live worker serves (docs/contract.md#unserved-task-types): shown, not fatal. */
function printWarnings(
  out: CommandContext['out'],
  warnings: { path: string; message: string }[] | undefined,
): void {
  for (const warning of warnings ?? [])
    out.line(out.paint(printable(`warning: ${warning.path}: ${warning.message}`), 'yellow'));
}
