import Type, { type Static } from 'typebox';
import { ValidationIssue } from './common.js';

/** RFC 9457 problem details, the body of every error answer (docs/contract.md#rest-api, "Errors"). */
export const Problem = Type.Object(
  {
    type: Type.String({
      format: 'uri-reference',
      description: 'an identifier to switch on, not a page; `about:blank` for plain HTTP failures',
      examples: ['https://sagaflow.dev/problems/validation'],
    }),
    title: Type.String({ examples: ['Invalid request'] }),
    status: Type.Integer({ minimum: 400, maximum: 599, examples: [400] }),
    detail: Type.String(),
    errors: Type.Optional(Type.Array(ValidationIssue, { description: 'every invalid field, by JSON path' })),
  },
  {
    additionalProperties: false,
    description: 'RFC 9457 problem details; every error is answered as application/problem+json.',
  },
);
export type Problem = Static<typeof Problem>;
