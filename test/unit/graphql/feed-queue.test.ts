import { describe, expect, it, jest } from '@jest/globals';
import { CoalescingRefresh } from '../../../src/interfaces/graphql/subscriptions/coalescing-refresh.js';
import {
  FeedQueue,
  SubscriberTooSlowError,
} from '../../../src/interfaces/graphql/subscriptions/feed-queue.js';

const source = () => ({ unsubscribe: jest.fn<() => void>() });

describe('FeedQueue', () => {
  it('hands values over in order, to a waiting reader and from its buffer', async () => {
    const queue = new FeedQueue<number>(10);
    const waiting = queue.next();
    queue.push(1);
    queue.push(2);
    queue.push(3);
    expect(await waiting).toEqual({ value: 1, done: false });
    expect(await queue.next()).toEqual({ value: 2, done: false });
    expect(await queue.next()).toEqual({ value: 3, done: false });
  });

  it('ends with SubscriberTooSlowError when the reader falls more than its capacity behind, and unsubscribes', async () => {
    const queue = new FeedQueue<number>(2);
    const feed = source();
    queue.attach(feed);
    queue.push(1);
    queue.push(2);
    queue.push(3);
    await expect(queue.next()).rejects.toBeInstanceOf(SubscriberTooSlowError);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(feed.unsubscribe).toHaveBeenCalledTimes(1);
    queue.push(4);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it("keeps only the latest values with the 'replace' policy", async () => {
    const queue = new FeedQueue<number>(1, 'replace');
    queue.push(1);
    queue.push(2);
    queue.push(3);
    expect(await queue.next()).toEqual({ value: 3, done: false });
  });

  it('unsubscribes once on return(), also ending a reader that waits', async () => {
    const queue = new FeedQueue<number>(10);
    const feed = source();
    queue.attach(feed);
    const waiting = queue.next();
    expect(await queue.return()).toEqual({ value: undefined, done: true });
    expect(await waiting).toEqual({ value: undefined, done: true });
    await queue.return();
    expect(feed.unsubscribe).toHaveBeenCalledTimes(1);
  });

  it('unsubscribes a source attached after the queue ended', () => {
    const queue = new FeedQueue<number>(10);
    queue.end(null);
    const feed = source();
    queue.attach(feed);
    expect(feed.unsubscribe).toHaveBeenCalledTimes(1);
  });

  it('delivers what is queued before a clean end, and an error at once', async () => {
    const clean = new FeedQueue<number>(10);
    clean.push(1);
    clean.end(null);
    expect(await clean.next()).toEqual({ value: 1, done: false });
    expect(await clean.next()).toEqual({ value: undefined, done: true });

    const failed = new FeedQueue<number>(10);
    failed.push(1);
    failed.end(new Error('feed stopped'));
    await expect(failed.next()).rejects.toThrow('feed stopped');
  });
});

describe('CoalescingRefresh', () => {
  /** A read that the test finishes by hand, to hold it in flight. */
  function manualReads() {
    const pending: ((value: string) => void)[] = [];
    const read = jest.fn(() => new Promise<string>((resolve) => pending.push(resolve)));
    return { read, finish: (value: string) => pending.shift()!(value) };
  }
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('reads once more after a burst of changes during a read, not once per change', async () => {
    const queue = new FeedQueue<string>(1, 'replace');
    const { read, finish } = manualReads();
    const refresh = new CoalescingRefresh(read, queue);
    refresh.changed();
    refresh.changed();
    refresh.changed();
    expect(read).toHaveBeenCalledTimes(1);
    finish('v1');
    await settle();
    expect(read).toHaveBeenCalledTimes(2);
    finish('v2');
    await settle();
    expect(read).toHaveBeenCalledTimes(2);
    expect(await queue.next()).toEqual({ value: 'v2', done: false });
  });

  it('does not push a value equal to the last one', async () => {
    const queue = new FeedQueue<string>(10);
    const { read, finish } = manualReads();
    const refresh = new CoalescingRefresh(read, queue);
    refresh.changed();
    finish('same');
    await settle();
    refresh.changed();
    finish('same');
    await settle();
    refresh.changed();
    finish('other');
    await settle();
    expect(await queue.next()).toEqual({ value: 'same', done: false });
    expect(await queue.next()).toEqual({ value: 'other', done: false });
  });

  it('ends the queue with the error of a failed read, and stops reading once the queue ended', async () => {
    const queue = new FeedQueue<string>(10);
    const refresh = new CoalescingRefresh(() => Promise.reject(new Error('database down')), queue);
    refresh.changed();
    await expect(queue.next()).rejects.toThrow('database down');
    const read = jest.fn(() => Promise.resolve('x'));
    new CoalescingRefresh(read, queue).changed();
    await settle();
    expect(read).not.toHaveBeenCalled();
  });
});
