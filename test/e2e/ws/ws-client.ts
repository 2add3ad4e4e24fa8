import { WebSocket, type ClientOptions, type RawData } from 'ws';
import { eventually } from '../../integration/support/harness.js';

/** A server frame of docs/contract.md#live-progress as the tests read it. */
export type ServerFrame = { type: string; [field: string]: unknown };

/** A run event as REST and `/ws` both carry it (docs/contract.md#rest-api). */
export interface WireEvent {
  seq: number;
  type: string;
  taskKey: string | null;
  attempt: number | null;
  at: string;
  data: unknown;
}

/**
 * A `ws` client that records every frame it receives, so tests can wait for frames with
 * `eventually` (no timing assertion) and look at the whole conversation afterwards.
 */
export class TestClient {
  readonly frames: ServerFrame[] = [];
  closed: { code: number; reason: string } | null = null;
  pings = 0;
  /** docs/contract.md#live-progress frames are text; a binary one would be a server bug. */
  binaryFrames = 0;

  private constructor(readonly socket: WebSocket) {
    // `ws` hands each frame over as one Buffer, text or binary.
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) this.binaryFrames += 1;
      this.frames.push(JSON.parse((data as Buffer).toString('utf8')) as ServerFrame);
    });
    socket.on('ping', () => (this.pings += 1));
    socket.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  static async connect(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const socket = new WebSocket(url, options);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new TestClient(socket);
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits for the first frame at index `from` or later that matches, and returns it. */
  async next(match: (frame: ServerFrame) => boolean, from = 0): Promise<ServerFrame> {
    const found = await eventually(
      async () => this.frames.slice(from).find(match),
      (frame) => frame !== undefined,
      10,
    );
    return found!;
  }

  /** Sends a frame and waits for the next frame of one of `types` that arrives after it. */
  async request(
    frame: unknown,
    types: string[] = ['subscribed', 'unsubscribed', 'error'],
  ): Promise<ServerFrame> {
    const from = this.frames.length;
    this.send(frame);
    return this.next((f) => types.includes(f.type), from);
  }

  /** The events received for this run, in arrival order. */
  eventsOf(runId: string): WireEvent[] {
    return this.frames
      .filter((f) => f.type === 'event' && f.runId === runId)
      .map((f) => f.event as WireEvent);
  }

  /** Waits until an event of this type has arrived for the run; returns the run's events so far. */
  async waitForEvent(runId: string, type: string): Promise<WireEvent[]> {
    await eventually(
      async () => this.eventsOf(runId),
      (events) => events.some((e) => e.type === type),
      10,
    );
    return this.eventsOf(runId);
  }

  async waitClosed(): Promise<{ code: number; reason: string }> {
    const closed = await eventually(
      async () => this.closed,
      (c) => c !== null,
      10,
    );
    return closed!;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  terminate(): void {
    this.socket.terminate();
  }
}

/** Opens an upgrade to `url` and resolves with 101, or with the HTTP status of a refusal. */
export async function upgradeStatus(url: string): Promise<number> {
  const socket = new WebSocket(url);
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.terminate();
      resolve(101);
    });
    socket.once('unexpected-response', (request, response) => {
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    socket.once('error', reject);
  });
}

/** Every event of a run as `GET /v1/runs/{id}/events` returns it, page by page. */
export async function restEvents(baseUrl: string, runId: string): Promise<WireEvent[]> {
  const out: WireEvent[] = [];
  let after = 0;
  for (;;) {
    const response = await fetch(`${baseUrl}/v1/runs/${runId}/events?after=${after}&limit=1000`);
    if (response.status !== 200) throw new Error(`GET events answered ${response.status}`);
    const page = (await response.json()) as { items: WireEvent[]; nextCursor: string | null };
    out.push(...page.items);
    if (page.nextCursor === null) return out;
    after = Number(page.nextCursor);
  }
}

/** `ws://…/ws` of an app listening at `baseUrl`. */
export const wsUrlOf = (baseUrl: string) => `${baseUrl.replace(/^http/, 'ws')}/ws`;
