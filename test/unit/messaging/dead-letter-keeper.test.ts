import { describe, expect, it } from '@jest/globals';
import type { ConsumeMessage } from 'amqplib';
import { keepOrBare, letterOf, reasonOf } from '../../../src/infrastructure/messaging/dead-letter-keeper.js';
import type { IncomingDeadLetter } from '../../../src/infrastructure/persistence/postgres-dead-letter-store.js';
import { parseListDeadLetters } from '../../../src/application/contracts/requests/dead-letters.js';
import { DomainValidationError } from '../../../src/domain/shared/domain-error.js';

const NOW = new Date('2026-12-07T10:00:00.000Z');

function message(headers: Record<string, unknown>, content = Buffer.from('{}')): ConsumeMessage {
  return {
    content,
    fields: {
      deliveryTag: 1,
      redelivered: false,
      exchange: 'sf.dlx',
      routingKey: 'sf.results.0',
      consumerTag: 'c',
    },
    properties: {
      headers,
      messageId: 'm-1',
      contentType: 'application/json',
      priority: 3,
      contentEncoding: undefined,
      deliveryMode: 2,
      correlationId: undefined,
      replyTo: undefined,
      expiration: undefined,
      timestamp: undefined,
      type: undefined,
      userId: undefined,
      appId: undefined,
      clusterId: undefined,
    },
  };
}

describe('the dead-letter keeper reads a delivery', () => {
  it('takes the queue, time and reason from the first death, and the run from its headers', () => {
    const died = new Date('2026-12-07T09:59:00.000Z');
    const letter = letterOf(
      message({
        'x-death': [
          { queue: 'sf.tasks.http', reason: 'rejected', count: 1, time: died },
          { queue: 'sf.results.0', reason: 'expired', count: 1, time: new Date('2026-12-07T09:00:00.000Z') },
        ],
        'x-first-death-queue': 'sf.results.0',
        'x-first-death-reason': 'expired',
        'x-run-id': 'run-1',
        'x-task-key': 'charge',
        'x-attempt': 2,
      }),
      NOW,
    );
    expect(letter).toMatchObject({
      queue: 'sf.results.0',
      reason: 'expired in its queue',
      runId: 'run-1',
      taskKey: 'charge',
      attempt: 2,
      messageId: 'm-1',
      deadAt: died,
      properties: { messageId: 'm-1', contentType: 'application/json', priority: 3 },
    });
    // Header times become ISO text: the headers are stored as JSON.
    expect((letter.headers['x-death'] as { time: string }[])[0]!.time).toBe(died.toISOString());
  });

  it('without death records, names the routing key and says so; the same delivery has the same key', () => {
    const first = letterOf(message({}), NOW);
    expect(first).toMatchObject({ queue: 'sf.results.0', deadAt: NOW, runId: null, attempt: null });
    expect(first.reason).toBe('published to the dead-letter exchange directly');
    expect(letterOf(message({}), NOW).dedupeKey).toBe(first.dedupeKey);
    expect(letterOf(message({}, Buffer.from('[]')), NOW).dedupeKey).not.toBe(first.dedupeKey);
  });

  // Found by test/e2e/fuzz/message-fuzz.test.ts: an attempt past PostgreSQL's integer range made
  // every insert of the letter fail, and the keeper handed it back once a second for good.
  it('keeps only what PostgreSQL can store: attempts in integer range, text without U+0000', () => {
    const letter = letterOf(
      message({
        'x-attempt': Number.MAX_SAFE_INTEGER,
        'x-task-key': 'a\u0000b',
        odd: ['x\u0000', { 'k\u0000': 1 }],
      }),
      NOW,
    );
    expect(letter.attempt).toBeNull();
    expect(letter.taskKey).toBe('a\uFFFDb');
    expect(JSON.stringify(letter.headers)).not.toContain('\\u0000');
    expect(letter.headers.odd).toEqual(['x\uFFFD', { 'k\uFFFD': 1 }]);
  });

  it('keeps a letter PostgreSQL refuses bare, saying why; an outage is handed back', async () => {
    const letter = letterOf(message({ 'x-run-id': 'r' }), NOW);
    const kept: IncomingDeadLetter[] = [];
    const refusing = async (l: IncomingDeadLetter) => {
      if (kept.length === 0 && l.headers['x-run-id'] !== undefined) {
        kept.push(l);
        throw Object.assign(new Error('invalid input syntax'), { code: '22P02' });
      }
      kept.push(l);
    };
    await keepOrBare(refusing, letter);
    expect(kept[1]).toMatchObject({ runId: null, headers: {}, properties: {}, body: letter.body });
    expect(kept[1]!.reason).toMatch(/its headers could not be stored \(invalid input syntax\)/);

    const down = async () => {
      throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    };
    await expect(keepOrBare(down, letter)).rejects.toThrow('connection refused');
  });

  it('cuts header tables nested deeper than it keeps', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let n = 0; n < 100; n += 1) deep = { deep };
    const stored = JSON.stringify(letterOf(message({ deep }), NOW).headers);
    expect(stored).toContain('(nested too deep)');
    expect(stored).not.toContain('leaf');
  });

  it.each([
    ['rejected', 4, 'rejected by its consumer after 4 failed tries'],
    [
      'rejected',
      undefined,
      'rejected by its consumer: it could not be decoded or applied (the role logged why)',
    ],
    ['delivery_limit', undefined, 'delivered more often than the queue allows without being settled'],
    ['maxlen', undefined, 'dropped from a full queue'],
    ['something-new', undefined, 'dead-lettered by the broker (something-new)'],
  ])('words the reason %s (failures %p)', (reason, failures, words) => {
    expect(reasonOf(reason, failures)).toBe(words);
  });
});

describe('parseListDeadLetters', () => {
  it('clamps the limit, takes digits as a cursor and names anything else', () => {
    expect(parseListDeadLetters({ queue: 'sf.dead', limit: '5000', cursor: '42' })).toEqual({
      queue: 'sf.dead',
      limit: 1000,
      cursor: '42',
    });
    expect(parseListDeadLetters({})).toEqual({});
    expect(() => parseListDeadLetters({ cursor: '-1' })).toThrow(DomainValidationError);
    const thrown = (() => {
      try {
        parseListDeadLetters({ cursor: 'abc', queue: 7 });
        return null;
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(DomainValidationError);
    expect((thrown as DomainValidationError).issues.map((issue) => issue.path)).toEqual(['queue', 'cursor']);
  });
});
