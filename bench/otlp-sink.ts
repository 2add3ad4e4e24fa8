import { createServer, type Server } from 'node:http';

/**
 * A no-op OTLP/HTTP receiver for the tracing pass: accepts every export (any protocol encoding)
 * and counts what arrived, so the figure includes the real cost of exporting but no collector's.
 */
export class OtlpSink {
  requests = 0;
  bytes = 0;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<OtlpSink> {
    let sink: OtlpSink | null = null;
    const server = createServer((request, response) => {
      request.on('data', (chunk: Buffer) => (sink!.bytes += chunk.length));
      request.on('end', () => {
        sink!.requests += 1;
        // An empty ExportTraceServiceResponse is valid in both encodings.
        response.writeHead(200, { 'content-type': request.headers['content-type'] ?? 'application/json' });
        response.end(request.headers['content-type'] === 'application/json' ? '{}' : '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    sink = new OtlpSink(server, `http://127.0.0.1:${port}`);
    return sink;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
