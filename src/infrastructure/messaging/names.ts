/**
 * Broker object names (docs/contract.md#messaging), all derived from one prefix so that several deployments, or
 * parallel test suites, can share a broker without touching each other's queues.
 */
export const defaultPrefix = 'sagaflow';

export const tasksExchangeName = (prefix: string): string => `${prefix}.tasks`;
export const taskQueueName = (prefix: string, taskType: string): string => `${prefix}.tasks.${taskType}`;

export const resultsExchangeName = (prefix: string): string => `${prefix}.results`;
export const resultQueueName = (prefix: string, shard: number): string => `${prefix}.results.${shard}`;
/** Routing key binding result shard `shard` to the results exchange. */
export const resultRoutingKey = (shard: number): string => `shard.${shard}`;

export const deadLetterExchangeName = (prefix: string): string => `${prefix}.dlx`;
export const deadQueueName = (prefix: string): string => `${prefix}.dead`;
