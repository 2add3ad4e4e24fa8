import type { MessageRouting } from '../../application/ports/message-routing.js';

import { resultRoutingKey, resultsExchangeName, tasksExchangeName } from './names.js';
import { shardOf } from './shard.js';

/** The application's view of the topology: where tasks and a run's results are published. */
export function createMessageRouting(prefix: string, shardCount: number): MessageRouting {
  return {
    taskExchange: tasksExchangeName(prefix),
    resultExchange: resultsExchangeName(prefix),
    resultRoutingKey: (runId: string) => resultRoutingKey(shardOf(runId, shardCount)),
  };
}
