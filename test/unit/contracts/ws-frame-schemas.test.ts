import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import Compile from 'typebox/compile';
import { ClientFrameSchema, ServerFrameSchema } from '../../../src/interfaces/ws/frame-schemas.js';
import { createEventEncoder, parseClientFrame } from '../../../src/interfaces/ws/protocol.js';

const RUN = '0b7c6a52-2f7e-4d47-9a55-0f3c1d2e4b6a';
const client = Compile(ClientFrameSchema);
const server = Compile(ServerFrameSchema);

describe('/ws frame schemas (docs/ws-protocol.md)', () => {
  it('describe the client frames the server accepts, and not those it refuses', () => {
    const good = [
      { type: 'subscribe', runId: RUN, after: 3 },
      { type: 'subscribe', definition: 'orders' },
      { type: 'unsubscribe', runId: RUN },
    ];
    const bad = [{ type: 'subscribe' }, { type: 'subscribe', runId: RUN, after: -1 }, { type: 'hello' }];
    for (const frame of good) {
      expect(parseClientFrame(Buffer.from(JSON.stringify(frame)), false).ok).toBe(true);
      expect(client.Check(frame)).toBe(true);
    }
    for (const frame of bad) {
      expect(parseClientFrame(Buffer.from(JSON.stringify(frame)), false).ok).toBe(false);
      expect(client.Check(frame)).toBe(false);
    }
  });

  it('describe the event frame as the server encodes it, and the end frame', () => {
    const event = {
      seq: 4,
      type: 'RunCompleted' as const,
      taskKey: null,
      attempt: null,
      at: '2026-12-04T19:00:00.123Z',
      data: {},
    };
    const encoded = createEventEncoder()({ namespace: 'default', runId: RUN, definition: 'd', event });
    expect(server.Errors(JSON.parse(encoded.toString('utf8')))).toEqual([]);
    expect(server.Check({ type: 'end', runId: RUN, seq: 4, status: 'COMPLETED' })).toBe(true);
    expect(server.Check({ type: 'end', runId: RUN, seq: 4, status: 'RUNNING' })).toBe(false);
  });

  // The parser writes its own error words (docs/ws-protocol.md), so its verdict is held to the
  // schema's: any mix of known fields, right and wrong, is accepted by both or by neither.
  it('agree with the parser on every mix of fields', () => {
    const field = <T>(...values: T[]) => fc.constantFrom<T | undefined>(undefined, ...values);
    const frames = fc.record({
      type: fc.constantFrom<unknown>('subscribe', 'unsubscribe', 'hello', 1),
      namespace: field<unknown>('default', 'team-a', 'Team', null, 3),
      runId: field<unknown>(RUN, '', 7, null),
      definition: field<unknown>('orders', '', 'x'.repeat(101), 5),
      after: field<unknown>(0, 3, -1, 1.5, '3', null, 2 ** 60),
      colour: field<unknown>('red'),
    });
    fc.assert(
      fc.property(frames, (fields) => {
        const frame = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
        const parsed = parseClientFrame(Buffer.from(JSON.stringify(frame)), false);
        expect({ frame, ok: parsed.ok }).toEqual({ frame, ok: client.Check(frame) });
      }),
      { numRuns: 2000 },
    );
  });
});
