import { WebSocket, type RawData } from 'ws';
import { eventually } from '../../integration/support/harness.js';

/** A server frame of SPEC §5 as the tests read it. */
export type ServerFrame = { type: string; [field: string]: unknown };

/**
 * A `ws` client that records every frame it receives, so tests can wait for frames with
 * `eventually` (no timing assertion) and look at the whole conversation afterwards.
 */
export class TestClient {
  readonly frames: ServerFrame[] = [];
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly socket: WebSocket) {
    // The server sends text frames only; `ws` hands them over as one Buffer.
    socket.on('message', (data: RawData) =>
      this.frames.push(JSON.parse((data as Buffer).toString('utf8')) as ServerFrame),
    );
    socket.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  static async connect(url: string, options: { autoPong?: boolean } = {}): Promise<TestClient> {
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

  /** Waits for the first frame after index `from` that matches, and returns it. */
  async next(match: (frame: ServerFrame) => boolean, from = 0): Promise<ServerFrame> {
    const found = await eventually(
      async () => this.frames.slice(from).find(match),
      (frame) => frame !== undefined,
      10,
    );
    return found!;
  }

  /** Frames of type `event` for this run, in arrival order. */
  eventsOf(runId: string): { seq: number; type: string }[] {
    return this.frames
      .filter((f) => f.type === 'event' && f.runId === runId)
      .map((f) => f.event as { seq: number; type: string });
  }

  async waitClosed(): Promise<{ code: number; reason: string }> {
    const closed = await eventually(
      async () => this.closed,
      (c) => c !== null,
      10,
    );
    return closed!;
  }

  close(): void {
    this.socket.terminate();
  }
}

/** Opens an upgrade to `url` and resolves with the HTTP status of a refusal, or 101. */
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
    socket.once('error', (error) => reject(error));
  });
}
