import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { POLICY } from '../../../src/interfaces/identity/policy.js';
import {
  ADMIN_KEY,
  SECRET,
  hsToken,
  roleTokens,
  startAuthApp,
  unsignedToken,
  type AuthApp,
} from './support/auth-app.js';

/**
 * Every GraphQL query and mutation root field against each kind of credential
 * (docs/security.md#authentication-and-roles): refused credentials never reach GraphQL (401),
 * and each role is refused exactly the fields above it. Subscriptions are decided the
 * same way over graphql-ws (test/e2e/auth/ws-auth.test.ts).
 */
const ID = '00000000-0000-4000-8000-000000000000';
const OPERATIONS: Record<string, string> = {
  'Query.run': `{ run(id: "${ID}") { id } }`,
  'Query.runs': '{ runs { nextCursor } }',
  'Query.runEvents': `{ runEvents(runId: "${ID}") { seq } }`,
  'Query.definition': '{ definition(name: "nope") { name } }',
  'Query.definitions': '{ definitions { name } }',
  'Mutation.registerDefinition': 'mutation { registerDefinition(definition: {}) { name } }',
  'Mutation.startRun': 'mutation { startRun(definition: "nope") { id } }',
  'Mutation.cancelRun': `mutation { cancelRun(id: "${ID}") { id } }`,
  'Mutation.retryRun': `mutation { retryRun(id: "${ID}") { id } }`,
  'Query.deadLetters': 'query { deadLetters { nextCursor } }',
  'Query.deadLetter': `query { deadLetter(id: "${ID}") { id } }`,
  'Mutation.replayDeadLetter': `mutation { replayDeadLetter(id: "${ID}") }`,
  'Mutation.deleteDeadLetter': `mutation { deleteDeadLetter(id: "${ID}") }`,
};
const RANK = { worker: 0, viewer: 1, operator: 2, admin: 3 } as const;

interface GraphqlAnswer {
  status: number;
  codes: string[];
}

describe('GraphQL with auth on', () => {
  let app: AuthApp;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    app = await startAuthApp({ secret: SECRET }, 'gqlmatrix');
    Object.assign(tokens, await roleTokens(SECRET));
  });
  afterAll(() => app.close());

  const ask = async (headers: Record<string, string>, query: string): Promise<GraphqlAnswer> => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    return { status: response.status, codes: (body.errors ?? []).map((e) => e.extensions?.code ?? '') };
  };

  it('names an operation here for every query and mutation field of the policy table', () => {
    const fields = Object.keys(POLICY).filter((op) => op.startsWith('Query.') || op.startsWith('Mutation.'));
    expect(Object.keys(OPERATIONS).sort()).toEqual(fields.sort());
  });

  it.each(Object.entries(OPERATIONS))(
    '%s: refused credentials are 401 before GraphQL',
    async (_field, query) => {
      const refused: Record<string, string>[] = [
        {},
        { authorization: `Bearer ${tokens.expired!}` },
        { authorization: `Bearer ${tokens.wrongAudience!}` },
        { authorization: `Bearer ${unsignedToken()}` },
        { 'x-api-key': 'sfk_not_a_key' },
      ];
      for (const headers of refused) {
        expect({ headers, status: (await ask(headers, query)).status }).toEqual({ headers, status: 401 });
      }
    },
  );

  it.each(Object.entries(OPERATIONS))(
    '%s: refused below its role, never at or above it',
    async (field, query) => {
      const needed = POLICY[field] as keyof typeof RANK;
      for (const role of ['worker', 'viewer', 'operator', 'admin'] as const) {
        const answer = await ask({ authorization: `Bearer ${tokens[role]!}` }, query);
        const allowed = role !== 'worker' && RANK[role] >= RANK[needed];
        // A worker is refused POST /graphql itself (403); the others field by field.
        const forbidden = answer.status === 403 || answer.codes.includes('FORBIDDEN');
        expect({ role, forbidden }).toEqual({ role, forbidden: !allowed });
        expect(answer.codes).not.toContain('INTERNAL_SERVER_ERROR');
      }
      const bootstrap = await ask({ 'x-api-key': ADMIN_KEY }, query);
      expect(bootstrap.codes).not.toContain('FORBIDDEN');
    },
  );

  it("another namespace's credential is 403 before GraphQL", async () => {
    const teamA = await hsToken(SECRET, { roles: ['admin'], namespaces: ['team-a'] });
    const answer = await ask(
      { authorization: `Bearer ${teamA}`, 'sagaflow-namespace': 'team-b' },
      OPERATIONS['Query.runs']!,
    );
    expect(answer.status).toBe(403);
  });
});
