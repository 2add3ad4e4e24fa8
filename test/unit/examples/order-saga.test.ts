import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import * as sdk from '../../../src/worker.js';
import { NonRetryableError, RetryAfterError, testHandler } from '../../../src/worker.js';
import {
  startPaymentService,
  type Charge,
  type PaymentService,
} from '../../../examples/order-saga/payment-service.js';
import { freePort } from '../../support/free-port.js';

/**
 * The handlers of examples/order-saga/worker.ts through `testHandler` (docs/worker-sdk.md#testing),
 * against the example's fake payment service on a free port.
 *
 * The example imports `sagaflow/worker`, which jest would resolve through the package's
 * `exports` to the build in dist/: a unit test must not need a build, and the error classes
 * must be the ones these tests compare with. So the package name is pointed at the source
 * (virtual: it resolves whether dist/ exists or not), with a `startWorker` that records calls.
 */
const startWorker = jest.fn<typeof sdk.startWorker>();
jest.unstable_mockModule('sagaflow/worker', () => ({ ...sdk, startWorker }), { virtual: true });
const { createOrderHandlers } = await import('../../../examples/order-saga/worker.js');

let payments: PaymentService;
let handlers: ReturnType<typeof createOrderHandlers>;

beforeAll(async () => {
  payments = await startPaymentService({ port: 0 });
  handlers = createOrderHandlers({ paymentUrl: payments.url });
});

afterAll(async () => {
  await payments.close();
});

async function chargesOf(orderId: string): Promise<Charge[]> {
  const response = await fetch(`${payments.url}/charges?orderId=${orderId}`);
  return ((await response.json()) as { items: Charge[] }).items;
}

describe('examples/order-saga worker', () => {
  it('starts no worker when imported', () => {
    expect(startWorker).not.toHaveBeenCalled();
  });

  it('reserves once per idempotency key and releases what it reserved', async () => {
    const input = { orderId: 'o-r1', items: [{ sku: 'BOOK-42', quantity: 2 }] };
    const first = await testHandler(handlers.reserve, input, { idempotencyKey: 'run-1:reserve' });
    const again = await testHandler(handlers.reserve, input, { idempotencyKey: 'run-1:reserve' });
    const other = await testHandler(handlers.reserve, input, { idempotencyKey: 'run-2:reserve' });
    expect(again).toEqual(first);
    expect(other.reservationId).not.toBe(first.reservationId);

    const ctx = { kind: 'compensation' as const, idempotencyKey: 'run-1:reserve:compensate' };
    expect(await testHandler(handlers.release, first, ctx)).toEqual({ ...first, released: true });
    // A second run of the compensation finds nothing held, and still succeeds.
    expect(await testHandler(handlers.release, first, ctx)).toEqual({ ...first, released: false });
  });

  it('fails input its schema refuses as non-retryable, naming the field', async () => {
    const reserve = testHandler(handlers.reserve, { orderId: 'o-r2', items: [{ sku: 'A', quantity: 0 }] });
    await expect(reserve).rejects.toThrow(NonRetryableError);
    await expect(reserve).rejects.toThrow(
      /^input of task type "order\.reserve" does not match its schema: items\[0\]\.quantity: /,
    );

    const charge = testHandler(handlers.charge, { orderId: 'o-c0', amount: -5, card: '4242' });
    await expect(charge).rejects.toThrow(NonRetryableError);
    await expect(charge).rejects.toThrow(/does not match its schema: amount: /);
    expect(await chargesOf('o-c0')).toEqual([]);
  });

  it('fails a declined charge as non-retryable and charges nothing', async () => {
    const declined = testHandler(
      handlers.charge,
      { orderId: 'o-c1', amount: 19.95, card: 'declined' },
      { idempotencyKey: 'run-8:charge' },
    );
    await expect(declined).rejects.toThrow(NonRetryableError);
    await expect(declined).rejects.toThrow('charge declined: card declined');

    const overLimit = testHandler(
      handlers.charge,
      { orderId: 'o-c1', amount: 5000, card: '4242' },
      { idempotencyKey: 'run-9:charge' },
    );
    await expect(overLimit).rejects.toThrow(NonRetryableError);
    await expect(overLimit).rejects.toThrow(/over the limit of 1000/);
    expect(await chargesOf('o-c1')).toEqual([]);
  });

  it('returns the same charge for a reused idempotency key, and charges once', async () => {
    const input = { orderId: 'o-c2', amount: 59.9, card: '4242' };
    const first = await testHandler(handlers.charge, input, { idempotencyKey: 'run-3:charge', attempt: 1 });
    const retried = await testHandler(handlers.charge, input, { idempotencyKey: 'run-3:charge', attempt: 2 });

    expect(retried).toEqual(first);
    expect(await chargesOf('o-c2')).toEqual([
      { id: first.chargeId, orderId: 'o-c2', amount: 59.9, status: 'captured', refundId: null },
    ]);
    // The same key for another amount is a mistake the service refuses, not a second charge.
    const changed = testHandler(handlers.charge, { ...input, amount: 1 }, { idempotencyKey: 'run-3:charge' });
    await expect(changed).rejects.toThrow(NonRetryableError);
    await expect(changed).rejects.toThrow('reused with a different request');
    // Another task (another key) is another charge.
    const other = await testHandler(handlers.charge, input, { idempotencyKey: 'run-4:charge' });
    expect(other.chargeId).not.toBe(first.chargeId);
  });

  it('turns a 429 into a RetryAfterError carrying the Retry-After delay, then charges', async () => {
    const input = { orderId: 'o-c3', amount: 10, card: 'busy' };
    const ctx = { idempotencyKey: 'run-5:charge' };
    const busy = testHandler(handlers.charge, input, ctx);
    await expect(busy).rejects.toThrow(RetryAfterError);
    await expect(busy).rejects.toMatchObject({ retryAfterMs: 1000 });

    const { chargeId } = await testHandler(handlers.charge, input, { ...ctx, attempt: 2 });
    expect(await chargesOf('o-c3')).toMatchObject([{ id: chargeId, status: 'captured' }]);
  });

  it('leaves an unreachable payment service to the retry policy (not non-retryable)', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = createOrderHandlers({ paymentUrl: closed });
    const attempt = testHandler(down.charge, { orderId: 'o-c4', amount: 10, card: '4242' });
    await expect(attempt).rejects.toThrow(`POST ${closed}/charges failed: ECONNREFUSED`);
    await expect(attempt).rejects.not.toBeInstanceOf(sdk.TaskFailureError);
  });

  it('refunds a charge once, however often the compensation runs', async () => {
    const { chargeId } = await testHandler(
      handlers.charge,
      { orderId: 'o-c5', amount: 42, card: '4242' },
      { idempotencyKey: 'run-6:charge' },
    );
    const ctx = { kind: 'compensation' as const, idempotencyKey: 'run-6:charge:compensate' };
    const refund = await testHandler(handlers.refund, { chargeId }, ctx);
    expect(await testHandler(handlers.refund, { chargeId }, { ...ctx, attempt: 2 })).toEqual(refund);
    expect(await chargesOf('o-c5')).toEqual([
      { id: chargeId, orderId: 'o-c5', amount: 42, status: 'refunded', refundId: refund.refundId },
    ]);

    const unknown = testHandler(
      handlers.refund,
      { chargeId: 'ch_nope' },
      { kind: 'compensation', idempotencyKey: 'run-10:charge:compensate' },
    );
    await expect(unknown).rejects.toThrow(NonRetryableError);
    await expect(unknown).rejects.toThrow('refund: the payment service answered 404: no charge ch_nope');
  });

  it('ships with a tracking number that stays the same across attempts', async () => {
    const input = { orderId: 'o-s1', reservationId: 'rsv_1', chargeId: 'ch_1' };
    const shipped = await testHandler(handlers.ship, input, { idempotencyKey: 'run-7:ship' });
    expect(shipped.trackingNumber).toMatch(/^TRK-[0-9A-F]{12}$/);
    expect(await testHandler(handlers.ship, input, { idempotencyKey: 'run-7:ship', attempt: 2 })).toEqual(
      shipped,
    );
    await expect(testHandler(handlers.ship, { ...input, chargeId: 7 } as never)).rejects.toThrow(
      /^input of task type "order\.ship" does not match its schema: chargeId: /,
    );
  });
});
