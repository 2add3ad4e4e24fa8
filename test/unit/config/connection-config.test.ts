import { describe, expect, it } from '@jest/globals';
import { loggableUrl } from '../../../src/application/loggable-url.js';
import { loadConfig } from '../../../src/infrastructure/config/app-config.js';
import { ConfigError } from '../../../src/infrastructure/config/config-variables.js';
import { connectionError } from '../../../src/infrastructure/config/connection-errors.js';

/** docs/contract.md#configuration: a malformed value stops the process with a message naming the variable. */
describe('connection URLs in the configuration', () => {
  it.each([
    ['DATABASE_URL', 'postgres://postgres@127.0.0.1:notaport/sagaflow', /^DATABASE_URL: not a valid URL/],
    [
      'DATABASE_URL',
      'mysql://root@127.0.0.1/sagaflow',
      /^DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\//,
    ],
    ['DATABASE_URL', 'postgres://127.0.0.1:5432/', /^DATABASE_URL: expected a database name/],
    ['DATABASE_URL', 'postgres://127.0.0.1/a;drop', /^DATABASE_URL: expected a database name/],
    ['DATABASE_REPLICA_URLS', 'postgres://h/sagaflow,nonsense', /^DATABASE_REPLICA_URLS: not a valid URL/],
    ['AMQP_URL', 'http://127.0.0.1:5672', /^AMQP_URL: expected a amqp:\/\/ or amqps:\/\//],
    [
      'AMQP_URL',
      'amqp://mq-1:5672,mq-2:5672',
      /^AMQP_URL: expected a amqp:\/\/ or amqps:\/\/ URL, got "mq-2:5672"/,
    ],
    ['SAGAFLOW_QUEUE_TYPE', 'stream', /^SAGAFLOW_QUEUE_TYPE: expected classic or quorum, got "stream"/],
    ['REDIS_URL', 'localhost:6379', /^REDIS_URL: expected a redis:\/\/ or rediss:\/\//],
  ])('%s=%s is refused, naming the variable', (variable, value, message) => {
    const attempt = () => loadConfig({ [variable]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });

  it('never repeats a password in the message', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:s3cret@127.0.0.1/sagaflow' })).toThrow(
      'mysql://root:***@127.0.0.1/sagaflow',
    );
  });

  it('accepts the defaults and well-formed URLs', () => {
    expect(loadConfig({}).databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/sagaflow');
    const config = loadConfig({
      DATABASE_URL: 'postgresql://app:pw@db.internal:6432/orders_1',
      DATABASE_REPLICA_URLS: 'postgres://r1/orders_1, postgres://r2/orders_1',
      AMQP_URL: 'amqps://u:p@mq:5671/vhost',
      REDIS_URL: 'rediss://cache:6380/2',
    });
    expect(config.replicaUrls).toEqual(['postgres://r1/orders_1', 'postgres://r2/orders_1']);
    expect(config.amqpUrl).toBe('amqps://u:p@mq:5671/vhost');
    expect(config.queueType).toBe('classic');
  });

  it("takes a cluster's nodes as a comma list, and quorum queues for them", () => {
    const config = loadConfig({
      AMQP_URL: 'amqp://mq-1:5672, amqp://mq-2:5672,amqp://mq-3:5672',
      SAGAFLOW_QUEUE_TYPE: 'quorum',
    });
    expect(config.amqpUrl).toBe('amqp://mq-1:5672,amqp://mq-2:5672,amqp://mq-3:5672');
    expect(config.queueType).toBe('quorum');
  });
});

describe('connection errors', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), { code: 'ECONNREFUSED' });

  it('name the service, where (no credentials) and the variable to fix', () => {
    expect(connectionError('RabbitMQ', 'amqp://guest:guest@127.0.0.1:5999', 'AMQP_URL', refused)).toBe(
      'RabbitMQ at amqp://127.0.0.1:5999 unreachable (AMQP_URL): ECONNREFUSED',
    );
  });

  it('read the codes of a dual-stack AggregateError, whose own message is empty', () => {
    const both = new AggregateError([refused, Object.assign(new Error('x'), { code: 'EADDRNOTAVAIL' })], '');
    expect(connectionError('PostgreSQL', 'postgres://u:pw@localhost:5432/db', 'DATABASE_URL', both)).toBe(
      'PostgreSQL at postgres://localhost:5432/db unreachable (DATABASE_URL): ECONNREFUSED, EADDRNOTAVAIL',
    );
  });

  it("keep the server's words when it answered", () => {
    const refusedLogin = Object.assign(new Error('password authentication failed for user "app"'), {
      code: '28P01',
    });
    expect(connectionError('PostgreSQL', 'postgres://app:pw@db/orders', 'DATABASE_URL', refusedLogin)).toBe(
      'PostgreSQL at postgres://db/orders (DATABASE_URL): password authentication failed for user "app"',
    );
  });

  it('loggableUrl keeps host and port for schemes without a web origin', () => {
    expect(loggableUrl('amqp://guest:guest@127.0.0.1:5672')).toBe('amqp://127.0.0.1:5672');
    expect(loggableUrl('redis://:pw@cache:6379/2?x=1')).toBe('redis://cache:6379/2');
    expect(loggableUrl('https://user:pw@example.com/a?token=1')).toBe('https://example.com/a');
  });
});
