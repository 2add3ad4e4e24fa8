import { describe, expect, it } from '@jest/globals';
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
});
