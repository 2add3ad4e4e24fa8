/**
 * The broker nodes a connection may use: one URL, or a cluster's nodes as a comma-separated
 * list (`AMQP_URL`, docs/operations.md#rabbitmq-clusters), parsed once. A connection tries the
 * current node and moves on to the next after one that failed or dropped.
 */
export class BrokerNodes {
  private readonly urls: readonly string[];
  private index = 0;

  constructor(list: string) {
    const urls = list
      .split(',')
      .map((url) => url.trim())
      .filter((url) => url !== '');
    this.urls = urls.length > 0 ? urls : [list];
  }

  /** The node the next connect tries. */
  get current(): string {
    return this.urls[this.index]!;
  }

  /** Moves on to the next node (a single URL stays itself). */
  advance(): void {
    this.index = (this.index + 1) % this.urls.length;
  }
}
