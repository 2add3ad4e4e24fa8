/**
 * The loopback side-effect sink the chaos workflow's `http` tasks call
 * (docs/failure-modes.md#the-chaos-harness): it records every request it receives with its
 * `Idempotency-Key`, answers after a short random delay (so that work is in flight when a fault
 * hits) and fails the steps whose input says `mode: "fail"` with a 422, which the `http` task
 * treats as a permanent failure.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SideEffect } from './checker.js';

export class SideEffectSink {
  readonly effects: SideEffect[] = [];
  private constructor(private readonly server: Server) {}

  static async listen(host: string): Promise<SideEffectSink> {
    const sink: SideEffectSink = new SideEffectSink(createServer((req, res) => sink.handle(req, res)));
    sink.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      sink.server.once('error', reject);
      sink.server.listen(0, host, resolve);
    });
    return sink;
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address}:${port}`;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  private handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: { run?: unknown; task?: unknown; kind?: unknown; mode?: unknown } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        res.writeHead(400).end('not JSON');
        return;
      }
      const key = req.headers['idempotency-key'];
      this.effects.push({
        idempotencyKey: typeof key === 'string' ? key : '',
        runId: String(body.run),
        taskKey: String(body.task),
        kind: body.kind === 'compensation' ? 'compensation' : 'task',
      });
      setTimeout(
        () => {
          if (body.mode === 'fail') {
            res.writeHead(422, { 'content-type': 'application/json' }).end('{"error":"designed to fail"}');
          } else {
            res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
          }
        },
        5 + Math.floor(Math.random() * 30),
      );
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
