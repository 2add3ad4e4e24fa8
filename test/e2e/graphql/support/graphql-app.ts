import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp, type SagaflowApp } from '../../../../src/app/create-app.js';
import type { AppConfig, Role } from '../../../../src/infrastructure/config/app-config.js';
import { cleanup, isolatedConfig } from '../../../integration/support/harness.js';

export interface GraphqlApp {
  sagaflow: SagaflowApp;
  http: NestFastifyApplication;
  config: Partial<AppConfig>;
  /** Runs one operation over HTTP (`POST /graphql`, JSON) and returns the status and body. */
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ status: number; body: GraphqlResponse<T> }>;
  close(): Promise<void>;
}

export interface GraphqlError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; errors?: { path: string; message: string }[]; [key: string]: unknown };
}

export interface GraphqlResponse<T> {
  data?: T | null;
  errors?: GraphqlError[];
}

/** A real Sagaflow process with the given roles on its own database and prefixes, on port 0. */
export async function startGraphqlApp(label: string, roles: Role[] = ['api']): Promise<GraphqlApp> {
  const config = isolatedConfig(label, roles);
  const sagaflow = await createApp(config);
  const http = sagaflow.app as NestFastifyApplication;
  return {
    sagaflow,
    http,
    config,
    async graphql<T>(query: string, variables?: Record<string, unknown>) {
      const res = await http.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
      });
      return { status: res.statusCode, body: res.json<GraphqlResponse<T>>() };
    },
    async close() {
      await cleanup(sagaflow, config, ['delay', 'noop', 'echo', 'http']);
    },
  };
}
