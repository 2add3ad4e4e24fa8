import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import { parseNamespace } from '../../../application/actor.js';
import {
  AUTHENTICATION,
  authenticate,
  credentialFromText,
  type Authentication,
} from '../../identity/authenticate.js';
import { setRequestIdentity } from '../../identity/request-identity.js';
import { CLOSE_UNAUTHENTICATED } from '../../ws/ws-auth.js';
import { UpgradeRoutes } from '../../realtime/upgrade-routes.js';
import { formatGraphqlErrors } from '../errors/format-error.js';
import { createGraphqlContext } from '../graphql-context.js';
import { refuseServerFrames } from './client-frames.js';
import { executionArgs, prepareOperation } from './operation-args.js';
import { GRAPHQL_OPTIONS, type GraphqlOptions } from '../graphql-options.js';
import { actorOf } from '../../identity/current-actor.js';
import { MAX_CLIENT_FRAME_BYTES } from '../../ws/ws-gateway-options.js';

export const GRAPHQL_PATH = '/graphql';

/** How long clients get to answer the close handshake at shutdown before they are cut off. */
const CLOSE_GRACE_MS = 2000;

/**
 * graphql-ws (`graphql-transport-ws`) on `/graphql` of the api port, beside Apollo's HTTP
 * endpoint on the same path. It is our own `ws` server without an HTTP server of its own
 * (`noServer`): the WebSocket adapter hands it the upgrades for `/graphql` through
 * `UpgradeRoutes`, so `/ws` and `/graphql` share the port. Operations get the same
 * validation, limits and error shapes as over HTTP.
 */
@Injectable()
export class GraphqlWsServer implements OnApplicationBootstrap, OnModuleDestroy {
  private wss: WebSocketServer | null = null;
  private server: Disposable | null = null;

  constructor(
    private readonly schemaHost: GraphQLSchemaHost,
    private readonly routes: UpgradeRoutes,
    private readonly queries: QueryBus,
    @Optional() @Inject(AUTHENTICATION) private readonly auth: Authentication | null = null,
    @Optional() @Inject(GRAPHQL_OPTIONS) private readonly options: GraphqlOptions = { production: false },
  ) {}

  /** After every module's init: the schema exists once GraphQLModule's init has run. */
  onApplicationBootstrap(): void {
    const schema = this.schemaHost.schema;
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
    this.server = useServer(
      {
        jsonMessageReviver: refuseServerFrames,
        onConnect: (ctx) => this.connect(ctx.connectionParams, ctx.extra),
        onSubscribe: (ctx, _id, payload) => {
          const prepared = prepareOperation(schema, payload, this.options);
          if ('errors' in prepared) return prepared.errors;
          const context = createGraphqlContext(this.queries, actorOf(ctx.extra.request), { cache: false });
          return executionArgs(schema, prepared.document, payload, context);
        },
        onNext: (_ctx, _id, _payload, _args, result) =>
          result.errors ? { ...result, errors: formatGraphqlErrors(result.errors) } : undefined,
        onError: (_ctx, _id, _payload, errors) => formatGraphqlErrors(errors),
      },
      wss,
    );
    this.wss = wss;
    this.routes.register(GRAPHQL_PATH, (request, socket, head) =>
      wss.handleUpgrade(request, socket, head, (client) => wss.emit('connection', client, request)),
    );
  }

  /**
   * With auth on, `connection_init.payload.authorization` (`Bearer …` / `ApiKey …`) in
   * `payload.namespace` (docs/security.md#authentication-and-roles): false closes with 4403. The identity goes on the
   * upgrade request, where `actorOf` finds it for every operation of the connection; a JWT's
   * expiry closes the socket with 4401.
   */
  private async connect(
    params: Record<string, unknown> | undefined,
    extra: { request: IncomingMessage; socket: WebSocket },
  ): Promise<boolean> {
    const auth = this.auth;
    if (!auth?.enabled) return true;
    const authorization = params?.authorization;
    let namespace: string;
    try {
      namespace = parseNamespace(params?.namespace, 'connection_init.payload.namespace');
    } catch {
      return false;
    }
    const credential = typeof authorization === 'string' ? credentialFromText(authorization) : null;
    const outcome = await authenticate(auth.verifier, credential, namespace);
    if (!outcome.ok) return false;
    setRequestIdentity(extra.request, outcome.identity);
    const { expiresAt } = outcome.identity;
    if (expiresAt !== undefined) {
      const ms = Math.min(Math.max(0, expiresAt * 1000 - Date.now()), 2 ** 31 - 1);
      const timer = setTimeout(() => extra.socket.close(CLOSE_UNAUTHENTICATED, 'the token has expired'), ms);
      timer.unref();
      extra.socket.once('close', () => clearTimeout(timer));
    }
    return true;
  }

  /** Closes every client (1001 Going Away) and the server; upgrades after this are refused. */
  async onModuleDestroy(): Promise<void> {
    const { server, wss } = this;
    if (!server || !wss) return;
    this.server = null;
    const cutOff = setTimeout(() => {
      for (const client of wss.clients) client.terminate();
    }, CLOSE_GRACE_MS);
    cutOff.unref();
    try {
      await server.dispose();
    } finally {
      clearTimeout(cutOff);
    }
  }
}
