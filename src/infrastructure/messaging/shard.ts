const fnvOffsetBasis = 0x811c9dc5;
const fnvPrime = 0x01000193;

/**
 * The result shard of a run: FNV-1a (32-bit) of the run id's characters (a UUID is ASCII, so
 * these are its bytes; pass it in its canonical lower-case form), modulo the shard count. It must never change between releases — every producer and consumer of results must
 * agree on it, and changing it (or the shard count) while runs are in flight splits one run's
 * results across two queues and loses their ordering.
 */
export function shardOf(runId: string, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1) {
    throw new RangeError(`shardCount must be a positive integer, got ${shardCount}`);
  }
  let hash = fnvOffsetBasis;
  for (let i = 0; i < runId.length; i += 1) {
    hash ^= runId.charCodeAt(i);
    hash = Math.imul(hash, fnvPrime);
  }
  return (hash >>> 0) % shardCount;
}
