import { describe, expect, it } from '@jest/globals';
import { BrokerNodes } from '../../../src/infrastructure/messaging/broker-nodes.js';

/** AMQP_URL as a cluster's nodes (docs/operations.md#rabbitmq-clusters). */
describe('BrokerNodes', () => {
  it('goes round a cluster node by node', () => {
    const nodes = new BrokerNodes('amqp://mq-1:5672, amqp://mq-2:5672,amqp://mq-3:5672');
    const seen = [nodes.current];
    for (let i = 0; i < 3; i++) {
      nodes.advance();
      seen.push(nodes.current);
    }
    expect(seen).toEqual(['amqp://mq-1:5672', 'amqp://mq-2:5672', 'amqp://mq-3:5672', 'amqp://mq-1:5672']);
  });

  it('keeps a single URL', () => {
    const nodes = new BrokerNodes('amqp://guest:guest@127.0.0.1:5672/?heartbeat=5');
    nodes.advance();
    expect(nodes.current).toBe('amqp://guest:guest@127.0.0.1:5672/?heartbeat=5');
  });
});
