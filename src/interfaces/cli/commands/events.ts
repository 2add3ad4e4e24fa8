import type { Command } from 'commander';
import type { Static } from 'typebox';
import type { RunEventPage } from '../../../application/contracts/schemas/run-events.js';
import { examples, integer, segment, type CommandContext, type CommandKit } from '../command-kit.js';
import { describeEvent } from '../watch/event-lines.js';
import type { EventJson } from '../watch/run-json.js';

/** `sagaflow events <runId> [--after N] [--limit N]` (docs/cli.md#events). */
export function eventsCommand(program: Command, kit: CommandKit): void {
  kit
    .api(
      program
        .command('events')
        .description("a run's events in order, from its start or after a seq")
        .argument('<runId>', 'run id')
        .option('--after <seq>', 'only events with a greater seq', integer(0))
        .option('--limit <n>', 'at most n events (1–1000, default 100)', integer(1, 1000)),
      events,
    )
    .addHelpText(
      'after',
      examples(
        'sagaflow events 0b6f3c1e-5d2a-4c8e-9f10-2a3b4c5d6e7f',
        'sagaflow events 0b6f3c1e-5d2a-4c8e-9f10-2a3b4c5d6e7f --after 7 --json',
      ),
    );
}

async function events(
  { client, out }: CommandContext,
  runId: string,
  options: { after?: number; limit?: number },
): Promise<void> {
  const { body } = await client.get<Static<typeof RunEventPage>>(`/v1/runs/${segment(runId)}/events`, {
    query: { after: options.after, limit: options.limit },
  });
  if (out.json) return out.document(body);
  out.table(
    body.items,
    [
      { header: 'SEQ', value: (event) => event.seq, align: 'right' },
      { header: 'AT', value: (event) => event.at },
      { header: 'TYPE', value: (event) => event.type },
      { header: 'TASK', value: (event) => event.taskKey },
      { header: 'ATTEMPT', value: (event) => event.attempt, align: 'right' },
      { header: 'DETAIL', value: (event) => describeEvent(event as EventJson).detail },
    ],
    'no events',
  );
  if (body.nextCursor !== null) out.line(out.paint(`more: --after ${body.nextCursor}`, 'dim'));
}
