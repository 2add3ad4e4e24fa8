import { ResultMessageSchema } from '../application/contracts/messages/result-message.js';
import { TaskMessageSchema } from '../application/contracts/messages/task-message.js';
import { RUN_EVENT_SCHEMAS } from '../application/contracts/run-events.js';
import { RUN_EVENT_TYPES } from '../domain/run/run-events.js';
import {
  defaultPrefix,
  resultsExchangeName,
  taskQueueName,
  tasksExchangeName,
} from '../infrastructure/messaging/names.js';
import { ClientFrameSchema, ServerFrameSchema } from '../interfaces/ws/frame-schemas.js';

/** A schema as plain JSON (TypeBox values carry no non-JSON parts, but be explicit). */
const json = (schema: unknown): Record<string, unknown> =>
  JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

/**
 * The AsyncAPI 3.0 document of Sagaflow's messages (docs/contract.md#messaging,
 * docs/ws-protocol.md): the AMQP task and result messages, the `/ws` frames and one message per
 * run event type, all from the TypeBox schemas the code checks with. Names use the default
 * prefix (`SAGAFLOW_AMQP_PREFIX`).
 */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const p = defaultPrefix;
  const eventMessages = Object.fromEntries(
    RUN_EVENT_TYPES.map((type) => [
      type,
      { name: type, title: type, contentType: 'application/json', payload: json(RUN_EVENT_SCHEMAS[type]) },
    ]),
  );
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Sagaflow messages',
      version: '1',
      description:
        'Task and result messages on RabbitMQ, the /ws WebSocket protocol and the run events it carries.',
    },
    servers: {
      amqp: { host: '127.0.0.1:5672', protocol: 'amqp', description: 'RabbitMQ (AMQP_URL)' },
      api: { host: '127.0.0.1:3000', protocol: 'ws', description: 'the api role (PORT)' },
    },
    channels: {
      tasks: {
        address: tasksExchangeName(p),
        description: `Direct exchange; routing key = task type, consumed from ${taskQueueName(p, '<type>')}.`,
        servers: [{ $ref: '#/servers/amqp' }],
        messages: { TaskMessage: { $ref: '#/components/messages/TaskMessage' } },
      },
      results: {
        address: resultsExchangeName(p),
        description: `Direct exchange; routing key shard.<n> (FNV-1a of the run id mod SAGAFLOW_SHARDS), queues ${p}.results.<n>.`,
        servers: [{ $ref: '#/servers/amqp' }],
        messages: { ResultMessage: { $ref: '#/components/messages/ResultMessage' } },
      },
      ws: {
        address: '/ws',
        description: 'JSON text frames; see docs/ws-protocol.md.',
        servers: [{ $ref: '#/servers/api' }],
        messages: {
          ClientFrame: { $ref: '#/components/messages/WsClientFrame' },
          ServerFrame: { $ref: '#/components/messages/WsServerFrame' },
        },
      },
      runEvents: {
        address: null,
        description: 'Run events as /ws `event` frames, GraphQL runEvents and REST carry them.',
        messages: Object.fromEntries(RUN_EVENT_TYPES.map((t) => [t, { $ref: `#/components/messages/${t}` }])),
      },
    },
    operations: {
      publishTask: { action: 'send', channel: { $ref: '#/channels/tasks' } },
      consumeTask: { action: 'receive', channel: { $ref: '#/channels/tasks' } },
      publishResult: { action: 'send', channel: { $ref: '#/channels/results' } },
      consumeResult: { action: 'receive', channel: { $ref: '#/channels/results' } },
      wsClientFrames: {
        action: 'receive',
        channel: { $ref: '#/channels/ws' },
        messages: [{ $ref: '#/channels/ws/messages/ClientFrame' }],
      },
      wsServerFrames: {
        action: 'send',
        channel: { $ref: '#/channels/ws' },
        messages: [{ $ref: '#/channels/ws/messages/ServerFrame' }],
      },
      runEvents: {
        action: 'send',
        channel: { $ref: '#/channels/runEvents' },
        messages: RUN_EVENT_TYPES.map((t) => ({ $ref: `#/channels/runEvents/messages/${t}` })),
      },
    },
    components: {
      messages: {
        TaskMessage: {
          name: 'TaskMessage',
          contentType: 'application/json',
          payload: json(TaskMessageSchema),
        },
        ResultMessage: {
          name: 'ResultMessage',
          contentType: 'application/json',
          payload: json(ResultMessageSchema),
        },
        WsClientFrame: {
          name: 'WsClientFrame',
          contentType: 'application/json',
          payload: json(ClientFrameSchema),
        },
        WsServerFrame: {
          name: 'WsServerFrame',
          contentType: 'application/json',
          payload: json(ServerFrameSchema),
        },
        ...eventMessages,
      },
    },
  };
}
