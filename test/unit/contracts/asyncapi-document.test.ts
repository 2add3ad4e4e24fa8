import { describe, expect, it } from '@jest/globals';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { buildAsyncApiDocument } from '../../../src/app/asyncapi-document.js';
import { RUN_EVENT_TYPES } from '../../../src/domain/run/run-events.js';

describe('the AsyncAPI document', () => {
  it('parses as AsyncAPI 3 with no error and has a message per run event type', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(buildAsyncApiDocument()));
    expect(
      diagnostics
        .filter((d) => Number(d.severity) === Number(DiagnosticSeverity.Error))
        .map((d) => `${d.path.join('.')}: ${d.message}`),
    ).toEqual([]);
    const names = document!
      .components()
      .messages()
      .all()
      .map((m) => m.id());
    for (const type of RUN_EVENT_TYPES) expect(names).toContain(type);
  });
});
