import type { FeedSubscription } from '../../../application/ports/run-event-feed.js';

/** More values were waiting than the subscriber could take. */
export class SubscriberTooSlowError extends Error {
  override readonly name = 'SubscriberTooSlowError';
}

/**
 * What a full queue does with one more value: `fail` ends the stream with
 * `SubscriberTooSlowError` (events must not be lost silently; a client resumes with the last
 * seq it saw); `replace` drops the oldest value (snapshots, where only the latest matters).
 */
export type OverflowPolicy = 'fail' | 'replace';

/**
 * A push source (the feed's sink) turned into an async iterator for a GraphQL subscription,
 * with a bounded queue between the two. Ending it in any way — `return()` when the client
 * unsubscribes, an error, the feed closing — unsubscribes from the source, once.
 */
export class FeedQueue<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: Error) => void } | null = null;
  private ended = false;
  private failure: Error | null = null;
  private source: FeedSubscription | null = null;

  constructor(
    private readonly capacity: number,
    private readonly overflow: OverflowPolicy = 'fail',
  ) {}

  get isEnded(): boolean {
    return this.ended;
  }

  /** Hands over the source's subscription, to be ended with this queue. */
  attach(source: FeedSubscription): void {
    if (this.ended) source.unsubscribe();
    else this.source = source;
  }

  push(value: T): void {
    if (this.ended) return;
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve({ value, done: false });
    } else if (this.buffer.length < this.capacity) {
      this.buffer.push(value);
    } else if (this.overflow === 'replace') {
      this.buffer.shift();
      this.buffer.push(value);
    } else {
      this.end(new SubscriberTooSlowError(`subscriber fell more than ${this.capacity} events behind`));
    }
  }

  /** Ends the stream: with an error (delivered after nothing else), or cleanly after what is queued. */
  end(error: Error | null): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    if (error) this.buffer.length = 0;
    this.source?.unsubscribe();
    this.source = null;
    if (this.waiter) {
      const { resolve, reject } = this.waiter;
      this.waiter = null;
      if (error) reject(error);
      else resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift()!, done: false });
    if (this.ended) {
      const failure = this.failure;
      this.failure = null;
      return failure ? Promise.reject(failure) : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.buffer.length = 0;
    this.end(null);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
