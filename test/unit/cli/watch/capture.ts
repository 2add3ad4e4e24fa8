import { Writable } from 'node:stream';

/** A writable that keeps what it is given, optionally posing as a terminal of a given size. */
export class Capture extends Writable {
  readonly chunks: string[] = [];

  constructor(
    readonly isTTY = false,
    readonly columns?: number,
    readonly rows?: number,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(chunk.toString('utf8'));
    done();
  }

  get text(): string {
    return this.chunks.join('');
  }
}
