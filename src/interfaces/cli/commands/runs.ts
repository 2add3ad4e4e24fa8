import { InvalidArgumentError, type Command } from 'commander';
import type { Static } from 'typebox';
import type { Run, RunList } from '../../../application/contracts/schemas/runs.js';
import { RUN_STATUSES } from '../../../domain/run/run-status.js';
import { examples, integer, segment, type CommandContext, type CommandKit } from '../command-kit.js';
import { readInput } from '../local-files.js';
import { elapsed } from '../output.js';
import { COMPENSATION_STYLE, RUN_STYLE, TASK_LOOK } from '../status-styles.js';
import { watchRun } from '../watch/watch-run.js';

type RunJson = Static<typeof Run>;

/** `sagaflow runs list|show|start|cancel|retry|watch` (docs/cli.md#runs). */
export function runsCommand(program: Command, kit: CommandKit): void {
  const runs = program
    .command('runs')
    .description('start, inspect, cancel, retry and watch runs')
    .addHelpText(
      'after',
      examples(
        'sagaflow runs list --status FAILED',
        'sagaflow runs start order-saga --input @order.json --wait',
      ),
    );

  kit
    .api(
      runs
        .command('list')
        .description('runs, newest first')
        .option('--definition <name>', 'only runs of this definition')
        .option('--status <status>', `only runs in this status (${RUN_STATUSES.join(', ')})`, status)
        .option('--limit <n>', 'at most n runs (1–1000, default 100)', integer(1, 1000))
        .option('--cursor <cursor>', 'the next page: the cursor a previous list printed'),
      list,
    )
    .addHelpText(
      'after',
      examples('sagaflow runs list --definition order-saga --status COMPENSATED --limit 20'),
    );

  kit
    .api(runs.command('show').description('one run with its tasks').argument('<id>', 'run id'), show)
    .addHelpText('after', examples('sagaflow runs show 0b6f3c1e-5d2a-4c8e-9f10-2a3b4c5d6e7f'));

  kit
    .api(
      runs
        .command('start')
        .description('start a run of a registered definition')
        .argument('<definition>', 'definition name')
        .option('--version <n>', 'that version instead of the latest', integer(1))
        .option('--input <json|@file>', 'the run input: JSON, or @ and a JSON/YAML file')
        .option('--idempotency-key <key>', 'a second start with the same key returns the first run')
        .option('--priority <n>', 'queue priority 0–9 of its tasks', integer(0, 9))
        .option('--wait', 'follow the run to its end; exit 0 if COMPLETED, 3 for another end'),
      start,
    )
    .addHelpText(
      'after',
      examples(
        `sagaflow runs start order-saga --input '{"orderId":"o-1","amount":25}'`,
        'sagaflow runs start order-saga --input @order.json --idempotency-key order-o-1 --wait',
      ),
    );

  kit
    .api(
      runs
        .command('cancel')
        .description('cancel a run: its running tasks are cancelled and completed ones compensated')
        .argument('<id>', 'run id')
        .option('--reason <text>', 'why, kept in the RunCancelRequested event'),
      cancel,
    )
    .addHelpText(
      'after',
      examples('sagaflow runs cancel 0b6f3c1e-5d2a-4c8e-9f10-2a3b4c5d6e7f --reason "customer cancelled"'),
    );

  kit
    .api(
      runs
        .command('retry')
        .description(
          'FAILED: re-run the failed task and go on; COMPENSATION_FAILED: retry the failed compensations',
        )
        .argument('<id>', 'run id'),
      retry,
    )
    .addHelpText('after', examples('sagaflow runs retry 0b6f3c1e-5d2a-4c8e-9f10-2a3b4c5d6e7f'));

  kit
    .api(
      runs
        .command('watch')
        .description("draw the run's DAG live until it ends; exit 0 if COMPLETED, 3 for another end")
        .argument('<id>', 'run id'),
      watch,
    )
    .addHelpText('after', examples('sagaflow runs watch 0b6f3c1e-5d2a-4c8e-9f10-2a3b4c5d6e7f'));
}

function status(value: string): string {
  const upper = value.toUpperCase();
  if (!(RUN_STATUSES as readonly string[]).includes(upper)) {
    throw new InvalidArgumentError(`must be one of ${RUN_STATUSES.join(', ')}`);
  }
  return upper;
}

interface ListOptions {
  definition?: string;
  status?: string;
  limit?: number;
  cursor?: string;
}

async function list({ client, out }: CommandContext, options: ListOptions): Promise<void> {
  const { body } = await client.get<Static<typeof RunList>>('/v1/runs', {
    query: {
      definition: options.definition,
      status: options.status,
      limit: options.limit,
      cursor: options.cursor,
    },
  });
  if (out.json) return out.document(body);
  out.table(
    body.items,
    [
      { header: 'ID', value: (run) => run.id },
      { header: 'STATUS', value: (run) => run.status, style: (run) => RUN_STYLE[run.status] },
      { header: 'DEFINITION', value: (run) => definitionLabel(run.definition) },
      { header: 'CREATED', value: (run) => run.createdAt },
      { header: 'TIME', value: (run) => elapsed(run.startedAt, run.finishedAt), align: 'right' },
      { header: 'ERROR', value: (run) => (run.error ? errorLabel(run.error) : null) },
    ],
    'no runs',
  );
  if (body.nextCursor) out.line(out.paint(`more: --cursor ${body.nextCursor}`, 'dim'));
}

async function show({ client, out }: CommandContext, id: string): Promise<void> {
  const { body } = await client.get<RunJson>(`/v1/runs/${segment(id)}`);
  if (out.json) return out.document(body);
  printRun(out, body);
}

interface StartOptions {
  version?: number;
  input?: string;
  idempotencyKey?: string;
  priority?: number;
  wait?: boolean;
}

async function start(context: CommandContext, definition: string, options: StartOptions): Promise<number> {
  const { client, out, io } = context;
  const input = options.input === undefined ? undefined : await readInput(io.cwd, options.input);
  const { status, body } = await client.post<RunJson>('/v1/runs', {
    body: {
      definition,
      version: options.version,
      input,
      idempotencyKey: options.idempotencyKey,
      priority: options.priority,
    },
  });
  if (options.wait) {
    if (!out.json) out.line(`${status === 200 ? 'already started' : 'started'} run ${body.id}`);
    return follow(context, body.id);
  }
  if (out.json) out.document(body);
  else out.line(`${status === 200 ? 'already started' : 'started'} run ${body.id} (${body.status})`);
  return 0;
}

async function cancel(
  { client, out }: CommandContext,
  id: string,
  options: { reason?: string },
): Promise<void> {
  const { body } = await client.post<RunJson>(`/v1/runs/${segment(id)}/cancel`, {
    body: options.reason === undefined ? {} : { reason: options.reason },
  });
  if (out.json) return out.document(body);
  out.line(`cancel requested for run ${body.id} (${body.status})`);
}

async function retry({ client, out }: CommandContext, id: string): Promise<void> {
  const { body } = await client.post<RunJson>(`/v1/runs/${segment(id)}/retry`, { body: {} });
  if (out.json) return out.document(body);
  out.line(`retrying run ${body.id} (${body.status})`);
}

function watch(context: CommandContext, id: string): Promise<number> {
  return follow(context, id);
}

/** `runs watch`, and `runs start --wait`: the live DAG, or with `--json` only the final run. */
function follow({ client, out, io }: CommandContext, id: string): Promise<number> {
  return watchRun({ client, runId: id, out: io.stdout, color: out.color, json: out.json, signal: io.signal });
}

function printRun(out: CommandContext['out'], run: RunJson): void {
  out.fields([
    ['run', run.id],
    ['definition', definitionLabel(run.definition)],
    ['status', run.status, RUN_STYLE[run.status]],
    ['namespace', run.namespace],
    ['created', run.createdAt],
    ['time', elapsed(run.startedAt, run.finishedAt)],
    ['error', run.error ? errorLabel(run.error) : null, 'red'],
  ]);
  out.line();
  out.table(
    run.tasks,
    [
      { header: 'TASK', value: (task) => task.key },
      { header: 'TYPE', value: (task) => task.type },
      { header: 'STATUS', value: (task) => task.status, style: (task) => TASK_LOOK[task.status]?.style },
      { header: 'ATTEMPTS', value: (task) => task.attempts, align: 'right' },
      { header: 'TIME', value: (task) => elapsed(task.startedAt, task.finishedAt), align: 'right' },
      {
        header: 'COMPENSATION',
        value: (task) => task.compensation?.status,
        style: (task) => (task.compensation ? COMPENSATION_STYLE[task.compensation.status] : undefined),
      },
      { header: 'ERROR', value: (task) => task.error?.message ?? task.compensation?.error?.message },
    ],
    'no tasks',
  );
}

function definitionLabel(definition: RunJson['definition']): string {
  return definition.version === null
    ? `${definition.name} (inline)`
    : `${definition.name} v${definition.version}`;
}

function errorLabel(error: NonNullable<RunJson['error']>): string {
  return error.taskKey ? `${error.taskKey}: ${error.message}` : error.message;
}
