import type { LoggerService } from '@nestjs/common';
import { WebSocket, type RawData } from 'ws';
import { NotFoundError } from '../../application/errors.js';
import type { FeedItem, FeedSubscription, RunEventFeed } from '../../application/ports/run-event-feed.js';
import { terminalStatus } from '../../application/live/terminal-events.js';
import { describeTarget, parseClientFrame, targetKey, type ServerFrame, type Target } from './protocol.js';
import type { WsGatewayOptions } from './ws-gateway-options.js';
import type { WsAuth } from './ws-auth.js';

/** Close codes of RFC 6455 §7.4 used here. */
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_INTERNAL_ERROR = 1011;
export const CLOSE_TRY_AGAIN_LATER = 1013;

/** The run's terminal event, after which its subscription is over (an `end` frame). */
interface Ended {
  end: FeedItem;
}

/**
 * One subscription of a connection. Until the feed says it is live, items (and the end of the
 * run) are held in `held`, so that the client sees `subscribed` before any of its events.
 */
interface Entry {
  namespace: string;
  target: Target;
  subscription: FeedSubscription | null;
  held: (FeedItem | Ended)[] | null;
}

/**
 * The state of one `/ws` socket: its subscriptions, its heartbeat, and its send buffer.
 * Every protocol error is answered with an `error` frame and the socket stays open; the
 * socket is closed only when it is dead (no pong), too slow (send buffer over the limit),
 * or when the feed gives up on one of its subscriptions (the client reconnects and
 * resubscribes from its last `seq`, which is what makes reconnection lossless).
 */
export class WsConnection {
  private readonly entries = new Map<string, Entry>();
  private awaitingPong = false;
  private released = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly feed: RunEventFeed,
    private readonly options: WsGatewayOptions,
    private readonly encodeEvent: (item: FeedItem) => Buffer,
    private readonly logger: LoggerService,
    /** With auth on: who the socket is, and what its frames may do. */
    private readonly auth: WsAuth | null = null,
  ) {
    socket.on('message', (data: RawData, isBinary: boolean) => this.receive(data as Buffer, isBinary));
    socket.on('pong', () => (this.awaitingPong = false));
  }

  /** One heartbeat tick: terminate the socket if the last ping went unanswered, else ping. */
  heartbeat(): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    if (this.awaitingPong) {
      this.release();
      this.socket.terminate();
      return;
    }
    this.awaitingPong = true;
    this.socket.ping();
  }

  /** Releases every subscription; the connection handles no frame after this. Idempotent. */
  release(): void {
    this.released = true;
    this.auth?.dispose();
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) entry.subscription?.unsubscribe();
  }

  /** Releases the subscriptions and closes the socket with a reason the client can read. */
  close(code: number, reason: string): void {
    this.release();
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }

  get subscriptionCount(): number {
    return this.entries.size;
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (this.released) return;
    const pending = this.auth?.pending;
    // Frames sent right behind the auth frame wait for its verdict, in order.
    if (pending) return void pending.then(() => this.receive(data, isBinary));
    if (this.auth && !this.auth.authenticated) return void this.auth.first(data);
    const parsed = parseClientFrame(data, isBinary);
    if (!parsed.ok) return this.send({ type: 'error', message: parsed.message });
    const { frame } = parsed;
    const refusal = this.auth?.refusal(frame.type, frame.namespace) ?? null;
    if (refusal !== null) return this.send({ type: 'error', message: refusal, ...frame.target });
    if (frame.type === 'subscribe') this.subscribe(frame.namespace, frame.target, frame.after);
    else this.unsubscribe(frame.namespace, frame.target);
  }

  private subscribe(namespace: string, target: Target, after: number): void {
    const key = targetKey(namespace, target);
    if (this.entries.has(key)) {
      return this.send({
        type: 'error',
        message: `already subscribed to ${describeTarget(target)}`,
        ...target,
      });
    }
    if (this.entries.size >= this.options.maxSubscriptions) {
      const message = `at most ${this.options.maxSubscriptions} subscriptions per connection`;
      return this.send({ type: 'error', message, ...target });
    }
    const entry: Entry = { namespace, target, subscription: null, held: [] };
    this.entries.set(key, entry);
    const sink = {
      next: (item: FeedItem) => this.deliver(entry, item),
      close: (reason: Error | null) => this.feedClosed(entry, reason),
    };
    // Only run subscriptions end (docs/ws-protocol.md#end-of-a-run); definitions go on.
    const live =
      'runId' in target
        ? this.feed.subscribeRun(namespace, target.runId, after, {
            ...sink,
            end: (item) => this.ended(entry, item),
          })
        : this.feed.subscribeDefinition(namespace, target.definition, sink);
    live.then(
      (subscription) => this.subscribed(entry, subscription),
      (error: unknown) => this.subscribeFailed(entry, error),
    );
  }

  private subscribed(entry: Entry, subscription: FeedSubscription): void {
    // Unsubscribed, released or closed while the feed was setting up.
    if (!this.isCurrent(entry)) return subscription.unsubscribe();
    entry.subscription = subscription;
    this.send({ type: 'subscribed', ...entry.target });
    const held = entry.held ?? [];
    entry.held = null;
    for (const item of held) {
      if (!this.isCurrent(entry)) return;
      if ('end' in item) this.sendEnd(entry, item.end);
      else this.sendEvent(item);
    }
  }

  private subscribeFailed(entry: Entry, error: unknown): void {
    if (!this.isCurrent(entry)) return;
    this.entries.delete(targetKey(entry.namespace, entry.target));
    if (error instanceof NotFoundError) {
      return this.send({
        type: 'error',
        message: `unknown ${describeTarget(entry.target)}`,
        ...entry.target,
      });
    }
    this.logger.error(`subscription to ${describeTarget(entry.target)} failed: ${String(error)}`);
    this.send({
      type: 'error',
      message: `could not subscribe to ${describeTarget(entry.target)}`,
      ...entry.target,
    });
  }

  private unsubscribe(namespace: string, target: Target): void {
    const key = targetKey(namespace, target);
    const entry = this.entries.get(key);
    if (!entry) {
      return this.send({ type: 'error', message: `not subscribed to ${describeTarget(target)}`, ...target });
    }
    this.entries.delete(key);
    // A pending subscription is released by `subscribed` when the feed answers.
    entry.subscription?.unsubscribe();
    this.send({ type: 'unsubscribed', ...target });
  }

  private deliver(entry: Entry, item: FeedItem): void {
    if (!this.isCurrent(entry)) return;
    if (entry.held) entry.held.push(item);
    else this.sendEvent(item);
  }

  /** The run has ended: an `end` frame once its events are out, and the subscription is gone. */
  private ended(entry: Entry, terminal: FeedItem): void {
    if (!this.isCurrent(entry)) return;
    if (entry.held) entry.held.push({ end: terminal });
    else this.sendEnd(entry, terminal);
  }

  private sendEnd(entry: Entry, terminal: FeedItem): void {
    this.entries.delete(targetKey(entry.namespace, entry.target));
    const status = terminalStatus(terminal.event.type);
    if (status) this.send({ type: 'end', runId: terminal.runId, seq: terminal.event.seq, status });
  }

  private feedClosed(entry: Entry, reason: Error | null): void {
    if (!this.isCurrent(entry)) return;
    // The feed can no longer promise "nothing missed": make the client reconnect and resume
    // from its last seq rather than leave it on a subscription that went quiet.
    if (reason) this.logger.warn(`feed closed ${describeTarget(entry.target)}: ${reason.message}`);
    this.close(reason ? CLOSE_INTERNAL_ERROR : CLOSE_GOING_AWAY, 'event feed closed; resubscribe');
  }

  private sendEvent(item: FeedItem): void {
    this.sendText(this.encodeEvent(item));
  }

  private send(frame: ServerFrame): void {
    this.sendText(JSON.stringify(frame));
  }

  /** Sends one text frame (`binary: false` keeps a pre-encoded Buffer a text frame). */
  private sendText(text: string | Buffer): void {
    if (this.released || this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(text, { binary: false });
    if (this.socket.bufferedAmount > this.options.maxBufferedBytes) {
      this.logger.warn(`cutting off a /ws client with ${this.socket.bufferedAmount} bytes unsent`);
      this.close(CLOSE_TRY_AGAIN_LATER, 'send buffer limit exceeded: client too slow');
    }
  }

  private isCurrent(entry: Entry): boolean {
    return !this.released && this.entries.get(targetKey(entry.namespace, entry.target)) === entry;
  }
}
