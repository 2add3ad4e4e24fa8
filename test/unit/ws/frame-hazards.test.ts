import { describe, expect, it } from '@jest/globals';
import { parseClientFrame } from '../../../src/interfaces/ws/protocol.js';

/** `/ws` client frames get the JSON checks of REST and GraphQL (docs/security.md#limits-and-hostile-input). */
describe('/ws client frames with hostile JSON', () => {
  it.each([
    [
      'U+0000 in a run id',
      '{"type":"subscribe","runId":"a\\u0000b"}',
      'runId contains the character U+0000, which cannot be stored (nul-character)',
    ],
    [
      'a lone surrogate in a definition name',
      '{"type":"subscribe","definition":"x\\ud800"}',
      'definition contains a lone UTF-16 surrogate (not valid Unicode), which cannot be stored (lone-surrogate)',
    ],
    [
      '5,000 levels of nesting',
      `{"type":"subscribe","runId":"r","extra":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      'nests deeper than 64 levels (max-depth)',
    ],
  ])('refuses %s, naming the path and the rule', (_name, text, message) => {
    const parsed = parseClientFrame(Buffer.from(text, 'utf8'), false);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.message).toContain(message);
  });

  it('still accepts a well-formed frame', () => {
    const parsed = parseClientFrame(Buffer.from('{"type":"subscribe","runId":"r","after":3}'), false);
    expect(parsed).toEqual({
      ok: true,
      frame: { type: 'subscribe', namespace: 'default', target: { runId: 'r' }, after: 3 },
    });
  });
});
