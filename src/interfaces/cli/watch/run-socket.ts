import type { ClientRequest, IncomingMessage } from 'node:http';
import { WebSocket, type RawData } from 'ws';
import { ApiProblem } from '../api-client.js';
import type { EventJson } from './run-json.js';
import { closeRefusal, errorFrameVerdict, type EventVerdict } from './resume.js';

/** How one `/ws` connection of a watch ended. */
export type SocketOutcome =
  /** The `end` frame: the run reached a terminal status (docs/ws-protocol.md#end-of-a-run). */
  | { kind: 'ended'; seq: number; status: string }
  /** Lost, closed by the server, refused for now, or a gap: reconnect from the cursor. */
  | { kind: 'dropped'; subscribed: boolean; reason: string }
  /** The server will not serve this watch (no credential, unknown run, namespace not granted). */
  | { kind: 'refused'; error: ApiProblem }
  /** A callback of the caller threw while handling a frame. */
  | { kind: 'failed'; error: unknown }
  | { kind: 'aborted' };

export interface SocketRequest {
  url: URL;
  /** Sent on the upgrade: the credential authenticates the socket (docs/security.md). */
  headers: Record<string, string>;
  runId: string;
  /** The frames' `namespace`; absent means the server's `default`. */
  namespace?: string;
  /** The cursor: replay the events after it. */
  after: number;
  idleTimeoutMs: number;
  signal?: AbortSignal;
  /** Called with every event of the run, in the order received; a `gap` ends this connection. */
  onEvent: (event: EventJson) => EventVerdict;
  /** The server accepted the subscription. */
  onSubscribed?: () => void;
}

/**
 * One `/ws` connection that follows one run: subscribes from `after`, hands its events over, and
 * resolves how it ended. It never rejects: every failure, a callback's included, is an outcome
 * for the caller's reconnect loop to judge.
 */
export function followOnce(request: SocketRequest): Promise<SocketOutcome> {
  return new Promise((resolve) => {
    const { runId, signal } = request;
    let subscribed = false;
    let settled = false;
    let idle: NodeJS.Timeout | null = null;
    const socket = new WebSocket(request.url, { headers: request.headers, handshakeTimeout: 10_000 });

    const settle = (outcome: SocketOutcome, close: 'close' | 'terminate' = 'terminate') => {
      if (settled) return;
      settled = true;
      if (idle) clearTimeout(idle);
      signal?.removeEventListener('abort', onAbort);
      if (close === 'close' && socket.readyState === WebSocket.OPEN) socket.close(1000, 'watch over');
      else socket.terminate();
      resolve(outcome);
    };
    const drop = (reason: string) => settle({ kind: 'dropped', subscribed, reason });
    const onAbort = () => settle({ kind: 'aborted' });
    const alive = () => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(
        () => drop(`nothing from the server in ${request.idleTimeoutMs} ms`),
        request.idleTimeoutMs,
      );
      idle.unref();
    };

    if (signal?.aborted) return settle({ kind: 'aborted' });
    signal?.addEventListener('abort', onAbort, { once: true });

    socket.on('open', () => {
      alive();
      const frame: Record<string, unknown> = { type: 'subscribe', runId, after: request.after };
      if (request.namespace !== undefined) frame.namespace = request.namespace;
      socket.send(JSON.stringify(frame));
    });
    socket.on('ping', alive);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (settled) return;
      alive();
      try {
        receive(data, isBinary);
      } catch (error) {
        settle({ kind: 'failed', error });
      }
    });
    const receive = (data: RawData, isBinary: boolean): void => {
      const frame = isBinary ? null : parseFrame(data);
      if (frame === null || (frame.runId !== undefined && frame.runId !== runId)) return;
      switch (frame.type) {
        case 'subscribed':
          subscribed = true;
          request.onSubscribed?.();
          return;
        case 'event': {
          const event = frame.event as EventJson | undefined;
          if (!event || typeof event.seq !== 'number') return;
          if (request.onEvent(event) === 'gap')
            drop('an event arrived ahead of its predecessors (a gap in seq)');
          return;
        }
        case 'end':
          return settle({ kind: 'ended', seq: Number(frame.seq), status: String(frame.status) }, 'close');
        case 'error': {
          const message = typeof frame.message === 'string' ? frame.message : 'error frame';
          const verdict = errorFrameVerdict(message);
          if (verdict.retry) return drop(message);
          return settle({
            kind: 'refused',
            error: new ApiProblem(verdict.status, { status: verdict.status, detail: message }),
          });
        }
        default:
          return;
      }
    };
    socket.on('unexpected-response', (_request: ClientRequest, response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      response.resume();
      if (status === 401 || status === 403) {
        const detail = `the /ws upgrade was refused with HTTP ${status}`;
        return settle({ kind: 'refused', error: new ApiProblem(status, { status, detail }) });
      }
      drop(`the /ws upgrade was answered HTTP ${status}`);
    });
    // Always followed by `close`; the outcome is whichever comes first to say why.
    socket.on('error', (error: Error) => drop(error.message));
    socket.on('close', (code: number, reason: Buffer) => {
      const text = reason.toString('utf8');
      const refusal = closeRefusal(code);
      if (refusal !== null) {
        const detail = text || 'the API refused the credential';
        return settle({ kind: 'refused', error: new ApiProblem(refusal, { status: refusal, detail }) });
      }
      drop(`the connection closed (${code}${text ? ` ${text}` : ''})`);
    });
  });
}

interface ServerFrame {
  type: string;
  runId?: string;
  [field: string]: unknown;
}

function parseFrame(data: RawData): ServerFrame | null {
  try {
    const value = JSON.parse(toBuffer(data).toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || typeof (value as ServerFrame).type !== 'string')
      return null;
    return value as ServerFrame;
  } catch {
    return null;
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
