import type { Command } from 'commander';
import type { Static } from 'typebox';
import type { DeadLetter, DeadLetterList } from '../../../application/contracts/schemas/dead-letters.js';
import { printable } from '../watch/terminal-text.js';
import { examples, integer, segment, type CommandContext, type CommandKit } from '../command-kit.js';

type DeadLetterJson = Static<typeof DeadLetter>;

/** `sagaflow dlq list|show|replay|purge` (docs/cli.md#dead-letters, docs/contract.md#dead-letters). */
export function deadLettersCommand(program: Command, kit: CommandKit): void {
  const dlq = program
    .command('dlq')
    .description('dead letters: messages the broker gave up on, kept to be replayed or dropped')
    .addHelpText('after', examples('sagaflow dlq list', 'sagaflow dlq replay 5f0c…'));

  kit
    .api(
      dlq
        .command('list')
        .description('dead letters, newest first')
        .option('--queue <name>', 'only letters that died on this queue')
        .option('--limit <n>', 'at most n (1–1000, default 100)', integer(1, 1000))
        .option('--cursor <cursor>', 'the next page: the cursor a previous list printed'),
      list,
    )
    .addHelpText('after', examples('sagaflow dlq list --queue sagaflow.tasks.http'));

  kit
    .api(
      dlq
        .command('show')
        .description('one dead letter with its headers and body')
        .argument('<id>', 'dead letter id'),
      show,
    )
    .addHelpText('after', examples('sagaflow dlq show 5f0c2b7e-1d2a-4c8e-9f10-2a3b4c5d6e7f --json'));

  kit
    .api(
      dlq
        .command('replay')
        .description('publish it once to the queue it died on, and remove it')
        .argument('<id>', 'dead letter id'),
      replay,
    )
    .addHelpText('after', examples('sagaflow dlq replay 5f0c2b7e-1d2a-4c8e-9f10-2a3b4c5d6e7f'));

  kit
    .api(
      dlq.command('purge').description('drop it for good (role admin)').argument('<id>', 'dead letter id'),
      purge,
    )
    .addHelpText('after', examples('sagaflow dlq purge 5f0c2b7e-1d2a-4c8e-9f10-2a3b4c5d6e7f'));
}

async function list(
  { client, out }: CommandContext,
  options: { queue?: string; limit?: number; cursor?: string },
): Promise<void> {
  const { body } = await client.get<Static<typeof DeadLetterList>>('/v1/dead-letters', {
    query: { queue: options.queue, limit: options.limit, cursor: options.cursor },
  });
  if (out.json) return out.document(body);
  out.table(
    body.items,
    [
      { header: 'ID', value: (letter) => letter.id },
      { header: 'QUEUE', value: (letter) => letter.queue },
      { header: 'DIED', value: (letter) => letter.deadAt },
      { header: 'RUN', value: (letter) => letter.runId },
      { header: 'TASK', value: (letter) => letter.taskKey },
      { header: 'REASON', value: (letter) => letter.reason },
    ],
    'no dead letters',
  );
  if (body.nextCursor) out.line(out.paint(`more: --cursor ${body.nextCursor}`, 'dim'));
}

async function show({ client, out }: CommandContext, id: string): Promise<void> {
  const { body } = await client.get<DeadLetterJson>(`/v1/dead-letters/${segment(id)}`);
  if (out.json) return out.document(body);
  out.fields([
    ['id', body.id],
    ['queue', body.queue],
    ['reason', body.reason],
    ['died', body.deadAt],
    ['run', body.runId],
    ['task', body.taskKey],
    ['attempt', body.attempt],
    ['message id', body.messageId],
  ]);
  out.line();
  out.line('headers:');
  out.line(indent(JSON.stringify(body.headers, null, 2)));
  out.line(`body (${body.bodyEncoding}):`);
  out.line(indent(body.bodyEncoding === 'json' ? JSON.stringify(body.body, null, 2) : String(body.body)));
}

async function replay({ client, out }: CommandContext, id: string): Promise<void> {
  const { body } = await client.post<null>(`/v1/dead-letters/${segment(id)}/replay`);
  if (out.json) return out.document(body);
  out.line(`replayed dead letter ${id}`);
}

async function purge({ client, out }: CommandContext, id: string): Promise<void> {
  const { body } = await client.delete(`/v1/dead-letters/${segment(id)}`);
  if (out.json) return out.document(body);
  out.line(`deleted dead letter ${id}`);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${printable(line)}`)
    .join('\n');
}
