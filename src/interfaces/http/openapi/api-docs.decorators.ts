import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../problem/problem-details.js';
import { ref } from './schema-ref.js';

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'malformed or invalid body or parameter; `errors` names each field by JSON path',
  404: 'unknown (or malformed) id or name',
  409: 'conflicts with what is stored',
  413: 'body over 1 MiB',
  415: 'body is not application/json',
  422: 'the run state forbids the action',
  503: 'PostgreSQL is unreachable',
};

/** The problem+json answers an operation can give (500 is possible everywhere, so implied). */
export function ApiProblems(...statuses: number[]) {
  const mediaType = PROBLEM_CONTENT_TYPE.split(';')[0] ?? PROBLEM_CONTENT_TYPE;
  return applyDecorators(
    ...[...statuses, 503].map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_DESCRIPTIONS[status] ?? 'error',
        content: { [mediaType]: { schema: ref('Problem') } },
      }),
    ),
  );
}

/** A JSON response whose schema is a hand-written component. */
export function ApiJson(status: number, schema: string, description: string) {
  return ApiResponse({ status, description, schema: ref(schema) });
}

/** A JSON body whose schema is a hand-written component. */
export function ApiJsonBody(schema: string, required = true) {
  return ApiBody({ schema: ref(schema), required });
}
