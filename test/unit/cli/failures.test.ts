import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from 'commander';
import fc from 'fast-check';
import { ApiProblem, ApiUnreachable } from '../../../src/interfaces/cli/api-client.js';
import {
  CliFailure,
  describeFailure,
  EXIT,
  exitCodeOf,
  UsageError,
} from '../../../src/interfaces/cli/failures.js';
import { FakeApi, problem, RUN_ID } from './support/cli-harness.js';

/** How a failure becomes one printable line and an exit code (failures.ts). */

/** C0, C1, DEL and the Unicode line and paragraph separators: nothing of these may reach stderr. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Any text, control characters and line breaks included. */
const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({
    unit: fc.constantFrom('a', ' ', '\n', '\r', '\t', '\u001b', '[', '\u0007', '\u0085', '\u2028'),
  }),
);

const issue = fc.record({ path: text, message: text, code: fc.string() }, { requiredKeys: [] });

/** A problem document as an API might answer it, with members of its own. */
const problemDocument = fc
  .tuple(
    fc.record(
      {
        type: text,
        title: text,
        status: fc.integer(),
        detail: text,
        errors: fc.array(issue, { maxLength: 4 }),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(
      fc.string().map((key) => `x-${key}`),
      fc.jsonValue(),
      { maxKeys: 3 },
    ),
  )
  .map(([fields, extra]) => ({ ...extra, ...fields }));

const status = fc.integer({ min: 400, max: 599 });

describe('describeFailure', () => {
  it('of any problem document is exactly one line, without control characters, naming the status', () => {
    fc.assert(
      fc.property(status, problemDocument, (code, document) => {
        const line = describeFailure(new ApiProblem(code, document));
        expect(line).not.toMatch(CONTROL);
        expect(line).toContain(`(HTTP ${code})`);
      }),
    );
  });

  it('without errors it is the detail, made printable, and the status', () => {
    fc.assert(
      fc.property(status, fc.string(), (code, detail) => {
        fc.pre(!CONTROL.test(detail));
        expect(describeFailure(new ApiProblem(code, { title: 'T', detail }))).toBe(
          `${detail} (HTTP ${code})`,
        );
      }),
    );
  });

  it('skips entries of errors that are not objects instead of throwing', () => {
    const problem = new ApiProblem(400, { title: 'Bad', errors: [null, 7, { path: '/a', message: 'm' }] });
    expect(describeFailure(problem)).toBe('Bad (HTTP 400): /a: m');
  });

  it('falls back to the title, then to the status line', () => {
    expect(describeFailure(new ApiProblem(409, { title: 'Conflict' }))).toBe('Conflict (HTTP 409)');
    expect(describeFailure(new ApiProblem(500, {}))).toBe('HTTP 500 (HTTP 500)');
  });

  it('with errors it is the title and every path: message, in order', () => {
    const printableText = fc.string().filter((value) => !CONTROL.test(value) && !value.includes(';'));
    fc.assert(
      fc.property(
        status,
        printableText,
        fc.array(fc.record({ path: printableText, message: printableText }), { minLength: 1, maxLength: 5 }),
        (code, title, errors) => {
          const line = describeFailure(new ApiProblem(code, { title, detail: 'ignored', errors }));
          expect(line).toBe(
            `${title} (HTTP ${code}): ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
          );
        },
      ),
    );
  });

  it('of any thrown value or error message is one line without control characters', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          text.map((message) => new Error(message)),
          text.map((message) => new CliFailure(message)),
          text,
          fc.oneof(fc.double(), fc.bigInt(), fc.boolean(), fc.constant(null), fc.constant(undefined)),
          fc.array(text, { maxLength: 3 }),
        ),
        (thrown) => {
          expect(describeFailure(thrown)).not.toMatch(CONTROL);
        },
      ),
    );
  });

  it('turns tabs and line breaks into spaces and other controls into U+FFFD', () => {
    expect(describeFailure(new Error('a\tb\nc\r\nd\u001b[2Je\u0000'))).toBe('a b c  d\ufffd[2Je\ufffd');
  });

  it('an unreachable API names the URL and the reason', () => {
    const cause = Object.assign(new TypeError('fetch failed'), {
      cause: new Error('connect ECONNREFUSED 127.0.0.1:9'),
    });
    expect(describeFailure(new ApiUnreachable('http://127.0.0.1:9', cause))).toBe(
      'cannot reach the Sagaflow API at http://127.0.0.1:9 (connect ECONNREFUSED 127.0.0.1:9); set --url or SAGAFLOW_URL',
    );
  });
});

describe('exitCodeOf', () => {
  it('is 2 for a usage error and 1 for anything else', () => {
    expect(exitCodeOf(new UsageError('x'))).toBe(EXIT.usage);
    expect(exitCodeOf(new CliFailure('x'))).toBe(EXIT.error);
    expect(exitCodeOf(new ApiProblem(400, {}))).toBe(EXIT.error);
    expect(exitCodeOf(new InvalidArgumentError('x'))).toBe(EXIT.error);
    fc.assert(fc.property(fc.anything(), (thrown) => expect(exitCodeOf(thrown)).toBe(EXIT.error)));
  });

  it('the codes are the documented ones', () => {
    expect(EXIT).toEqual({ ok: 0, error: 1, usage: 2, notCompleted: 3 });
  });
});

describe('runCli with whatever problem the API answers', () => {
  const api = new FakeApi();
  beforeAll(() => api.start());
  afterAll(() => api.stop());

  it('exits 1 with exactly one line on stderr and nothing on stdout', async () => {
    await fc.assert(
      // 407 is left out: fetch treats it as a proxy failure (a network error), as the Fetch standard says.
      fc.asyncProperty(
        status.filter((code) => code !== 407),
        problemDocument,
        async (code, document) => {
          api.reset();
          api.on(`GET /v1/runs/${RUN_ID}`, problem(code, document));
          const result = await api.cli(['runs', 'show', RUN_ID]);
          expect(result.code).toBe(1);
          expect(result.stdout).toBe('');
          expect(result.stderr).toMatch(/^sagaflow: [^\n]*\n$/);
          expect(result.stderr.slice(0, -1)).not.toMatch(CONTROL);
          expect(result.stderr).toContain(`HTTP ${code}`);
        },
      ),
      { numRuns: 40 },
    );
  });
});
