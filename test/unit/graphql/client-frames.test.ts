import { describe, expect, it } from '@jest/globals';
import { parseMessage } from 'graphql-ws';
import { refuseServerFrames } from '../../../src/interfaces/graphql/subscriptions/client-frames.js';

describe('refuseServerFrames', () => {
  it.each([
    { type: 'connection_ack' },
    { type: 'next', id: 'a', payload: { data: null } },
    { type: 'error', id: 'a', payload: [{ message: 'x' }] },
  ])('refuses a client frame only a server sends: $type', (frame) => {
    expect(() => parseMessage(JSON.stringify(frame), refuseServerFrames)).toThrow(
      `a client may not send ${frame.type} frames`,
    );
  });

  it.each([
    { type: 'connection_init' },
    { type: 'ping' },
    { type: 'pong' },
    { type: 'complete', id: 'a' },
    {
      type: 'subscribe',
      id: 'a',
      payload: { query: '{ definitions { name } }', variables: { type: 'next' } },
    },
  ])('passes a client frame through: $type', (frame) => {
    expect(parseMessage(JSON.stringify(frame), refuseServerFrames)).toEqual(frame);
  });
});
