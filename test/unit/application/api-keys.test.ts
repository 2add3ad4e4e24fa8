/**
 * API keys in the application (docs/security.md#api-keys): the create body's parser, the rate
 * budget's text form, the create rules and the verifier, over an in-memory store and a manual
 * clock, so each runs in milliseconds.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Actor } from '../../../src/application/actor.js';
import { hashApiKey } from '../../../src/application/api-keys/api-key-secret.js';
import {
  LAST_USED_RESOLUTION_MS,
  StoredApiKeyVerifier,
} from '../../../src/application/api-keys/stored-api-key-verifier.js';
import {
  CreateApiKeyCommand,
  CreateApiKeyHandler,
} from '../../../src/application/commands/create-api-key.js';
import {
  RevokeApiKeyCommand,
  RevokeApiKeyHandler,
} from '../../../src/application/commands/revoke-api-key.js';
import {
  parseCreateApiKey,
  type CreateApiKeyInput,
} from '../../../src/application/contracts/requests/create-api-key.js';
import { formatRateBudget, parseRateBudget } from '../../../src/application/rate-budget.js';
import { parseApiKeyId } from '../../../src/application/contracts/requests/run-id.js';
import { ForbiddenError, NotFoundError } from '../../../src/application/errors.js';
import { ListApiKeysHandler, ListApiKeysQuery } from '../../../src/application/queries/api-key-queries.js';
import { DomainValidationError } from '../../../src/domain/shared/domain-error.js';
import { InMemoryApiKeyStore } from '../../support/fakes/in-memory-api-keys.js';
import { ManualClock } from '../../support/fakes/in-memory-ports.js';

const NOW = new Date(Date.UTC(2026, 0, 1));

function issuesOf(body: unknown): string[] {
  try {
    parseCreateApiKey(body, NOW);
  } catch (error) {
    if (error instanceof DomainValidationError) return error.issues.map((issue) => issue.path).sort();
    throw error;
  }
  return [];
}

describe('parseCreateApiKey', () => {
  it('reads a full body', () => {
    expect(
      parseCreateApiKey(
        {
          name: 'ci',
          roles: ['viewer', 'operator', 'viewer'],
          namespaces: ['team-a', 'team-a', 'team-b'],
          expiresAt: '2026-06-01T00:00:00Z',
          rateLimit: '10/30s',
        },
        NOW,
      ),
    ).toEqual({
      name: 'ci',
      roles: ['viewer', 'operator'],
      namespaces: ['team-a', 'team-b'],
      expiresAt: new Date('2026-06-01T00:00:00Z'),
      rateLimit: { limit: 10, windowMs: 30_000 },
    });
  });

  it('leaves what is omitted to the defaults', () => {
    expect(
      parseCreateApiKey({ name: 'ci', roles: ['admin'], expiresAt: null, rateLimit: null }, NOW),
    ).toEqual({
      name: 'ci',
      roles: ['admin'],
      namespaces: null,
      expiresAt: null,
      rateLimit: null,
    });
    expect(parseCreateApiKey({ name: 'all', roles: ['viewer'], namespaces: ['*'] }, NOW).namespaces).toBe(
      '*',
    );
  });

  it.each([
    [[], ['$']],
    [{}, ['name', 'roles']],
    [{ name: ' ', roles: ['viewer'] }, ['name']],
    [{ name: 'x'.repeat(101), roles: ['viewer'] }, ['name']],
    [{ name: 'ci', roles: [] }, ['roles']],
    [{ name: 'ci', roles: ['root'] }, ['roles']],
    [{ name: 'ci', roles: ['viewer'], namespaces: [] }, ['namespaces']],
    [{ name: 'ci', roles: ['viewer'], namespaces: ['Team A'] }, ['namespaces']],
    [{ name: 'ci', roles: ['viewer'], namespaces: ['*', 'team-a'] }, ['namespaces']],
    [{ name: 'ci', roles: ['viewer'], expiresAt: 'tomorrow' }, ['expiresAt']],
    [{ name: 'ci', roles: ['viewer'], expiresAt: '2025-12-31T23:59:59Z' }, ['expiresAt']],
    [{ name: 'ci', roles: ['viewer'], rateLimit: 100 }, ['rateLimit']],
    [{ name: 'ci', roles: ['viewer'], rateLimit: '0/1m' }, ['rateLimit']],
    [{ name: 'ci', roles: ['viewer'], rateLimit: '5/1d' }, ['rateLimit']],
    [{ name: 'ci', roles: ['viewer'], owner: 'me' }, ['owner']],
    [{ name: 'ci', roles: ['viewer', 'root'] }, ['roles']],
    [
      { name: '', roles: ['root'], expiresAt: '2001-01-01T00:00:00Z', rateLimit: 'lots', extra: true },
      ['expiresAt', 'extra', 'name', 'rateLimit', 'roles'],
    ],
  ])('names every problem of %j', (body, paths) => {
    expect(issuesOf(body)).toEqual(paths);
  });
});

describe('rate budgets', () => {
  it('read back what they write, in the largest unit that divides the window', () => {
    const budget = fc.record({
      limit: fc.integer({ min: 1, max: 9_999_999 }),
      windowMs: fc.oneof(
        fc.integer({ min: 1, max: 9999 }).map((n) => n * 1000),
        fc.integer({ min: 1, max: 9999 }).map((n) => n * 60_000),
        fc.integer({ min: 1, max: 9999 }).map((n) => n * 3_600_000),
      ),
    });
    fc.assert(
      fc.property(budget, (value) => {
        const text = formatRateBudget(value);
        expect(parseRateBudget(text)).toEqual(value);
      }),
    );
    expect(formatRateBudget({ limit: 100, windowMs: 120_000 })).toBe('100/2m');
    expect(parseRateBudget('100/m')).toEqual({ limit: 100, windowMs: 60_000 });
  });
});

describe('parseApiKeyId', () => {
  it('lower-cases a uuid and answers anything else as unknown', () => {
    expect(parseApiKeyId('0A0B0C0D-0000-4000-8000-000000000000')).toBe(
      '0a0b0c0d-0000-4000-8000-000000000000',
    );
    expect(() => parseApiKeyId('1; drop table api_keys')).toThrow(NotFoundError);
  });
});

const admin = (namespace: string, grants?: readonly string[] | '*'): Actor => ({
  principal: `admin-of-${namespace}`,
  namespace,
  roles: ['admin'],
  ...(grants === undefined ? {} : { grants }),
});

const input = (overrides: Partial<CreateApiKeyInput> = {}): CreateApiKeyInput => ({
  name: 'ci',
  roles: ['operator'],
  namespaces: null,
  expiresAt: null,
  rateLimit: null,
  ...overrides,
});

function fixture() {
  const store = new InMemoryApiKeyStore();
  const clock = new ManualClock(NOW.getTime());
  return {
    store,
    clock,
    create: (actor: Actor, body: CreateApiKeyInput) =>
      new CreateApiKeyHandler(store, clock).execute(new CreateApiKeyCommand(actor, body)),
    revoke: (actor: Actor, id: string) =>
      new RevokeApiKeyHandler(store, clock).execute(new RevokeApiKeyCommand(actor, id)),
    list: (actor: Actor) => new ListApiKeysHandler(store).execute(new ListApiKeysQuery(actor)),
    verify: (key: string) => new StoredApiKeyVerifier(store, clock).verify({ kind: 'api-key', key }),
  };
}

describe('creating, listing and revoking', () => {
  it('stores the hash, never the key, and grants the creating namespace by default', async () => {
    const { store, create, list } = fixture();
    const created = await create(admin('team-a'), input());
    expect(created).toMatchObject({
      namespace: 'team-a',
      namespaces: ['team-a'],
      createdBy: 'admin-of-team-a',
    });
    const [row] = [...store.rows.values()];
    expect(row!.keyHash).toBe(hashApiKey(created.key));
    expect(JSON.stringify(row!.record)).not.toContain(created.key);
    expect((await list(admin('team-a'))).items).toEqual([
      expect.not.objectContaining({ key: expect.anything() }),
    ]);
    expect((await list(admin('team-b'))).items).toEqual([]);
  });

  it('gives every key its own secret', async () => {
    const { create } = fixture();
    const keys = await Promise.all(Array.from({ length: 20 }, () => create(admin('team-a'), input())));
    expect(new Set(keys.map((key) => key.key)).size).toBe(20);
  });

  it('refuses to grant what the creator does not hold', async () => {
    const { create } = fixture();
    await expect(create(admin('team-a'), input({ namespaces: ['team-b'] }))).rejects.toThrow(ForbiddenError);
    await expect(create(admin('team-a', ['team-a', 'team-b']), input({ namespaces: '*' }))).rejects.toThrow(
      ForbiddenError,
    );
    await expect(
      create(admin('team-a', ['team-a', 'team-b']), input({ namespaces: ['team-b'] })),
    ).resolves.toMatchObject({
      namespaces: ['team-b'],
    });
    await expect(create(admin('default', '*'), input({ namespaces: '*' }))).resolves.toMatchObject({
      namespaces: ['*'],
    });
  });

  it('revokes only within its namespace, once', async () => {
    const { create, revoke } = fixture();
    const { id } = await create(admin('team-a'), input());
    await expect(revoke(admin('team-b'), id)).rejects.toThrow(NotFoundError);
    await expect(revoke(admin('team-a'), id)).resolves.toBeUndefined();
    await expect(revoke(admin('team-a'), id)).rejects.toThrow(NotFoundError);
  });
});

describe('StoredApiKeyVerifier', () => {
  it('answers a live key with its grants and budget, and refuses revoked, expired and unknown ones', async () => {
    const { create, revoke, verify, clock } = fixture();
    const live = await create(admin('team-a'), input({ rateLimit: { limit: 5, windowMs: 1000 } }));
    await expect(verify(live.key)).resolves.toEqual({
      ok: true,
      principal: {
        id: `api-key:${live.id}`,
        roles: ['operator'],
        namespaces: ['team-a'],
        rateLimit: { limit: 5, windowMs: 1000 },
      },
    });
    const expiring = await create(admin('team-a'), input({ expiresAt: new Date(NOW.getTime() + 1000) }));
    await expect(verify(expiring.key)).resolves.toMatchObject({
      ok: true,
      principal: { expiresAt: NOW.getTime() / 1000 + 1 },
    });
    clock.advance(1000);
    await expect(verify(expiring.key)).resolves.toEqual({ ok: false, reason: 'the API key has expired' });
    await revoke(admin('team-a'), live.id);
    await expect(verify(live.key)).resolves.toEqual({ ok: false, reason: 'the API key was revoked' });
    await expect(verify(`${live.key}x`)).resolves.toEqual({ ok: false, reason: 'unknown API key' });
    await expect(verify('not-a-stored-key')).resolves.toEqual({ ok: false, reason: 'unknown API key' });
  });

  it('records use at most once per resolution', async () => {
    const { create, verify, store, clock } = fixture();
    const { id, key } = await create(admin('team-a'), input());
    await verify(key);
    await verify(key);
    expect(store.touches).toBe(1);
    expect(store.rows.get(id)!.record.lastUsedAt).toEqual(NOW);
    clock.advance(LAST_USED_RESOLUTION_MS);
    await verify(key);
    expect(store.touches).toBe(2);
  });
});
