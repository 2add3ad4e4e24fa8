import { describe, expect, it } from '@jest/globals';
import { checkOperationsPortMode } from '../../../src/app/operations-http.js';
import { loadConfig } from '../../../src/infrastructure/config/app-config.js';
import { ConfigError } from '../../../src/infrastructure/config/config-variables.js';

/** SAGAFLOW_METRICS_PORT (docs/operations.md, "Metrics from every role"). */
describe('SAGAFLOW_METRICS_PORT', () => {
  it('defaults to 9464 without the api role and to none with it', () => {
    expect(loadConfig({ SAGAFLOW_ROLES: 'worker' }).metricsPort).toBe(9464);
    expect(loadConfig({ SAGAFLOW_ROLES: 'relay,orchestrator' }).metricsPort).toBe(9464);
    expect(loadConfig({ SAGAFLOW_ROLES: 'api,worker' }).metricsPort).toBeNull();
    expect(loadConfig({}).metricsPort).toBeNull();
  });

  it('reads a port, 0 for any free one, and off', () => {
    expect(loadConfig({ SAGAFLOW_ROLES: 'worker', SAGAFLOW_METRICS_PORT: '9100' }).metricsPort).toBe(9100);
    expect(loadConfig({ SAGAFLOW_ROLES: 'worker', SAGAFLOW_METRICS_PORT: '0' }).metricsPort).toBe(0);
    expect(loadConfig({ SAGAFLOW_ROLES: 'worker', SAGAFLOW_METRICS_PORT: 'Off' }).metricsPort).toBeNull();
  });

  it.each(['65536', '-1', '94.64', 'metrics'])('refuses %j, naming the variable', (value) => {
    const attempt = () => loadConfig({ SAGAFLOW_ROLES: 'worker', SAGAFLOW_METRICS_PORT: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/^SAGAFLOW_METRICS_PORT: expected a port from 0 to 65535 or off/);
  });

  it('needs the metrics token beyond loopback, unless auth is off explicitly', () => {
    const worker = (env: NodeJS.ProcessEnv) => () =>
      checkOperationsPortMode(loadConfig({ SAGAFLOW_ROLES: 'worker', ...env }));
    expect(worker({ HOST: '0.0.0.0' })).toThrow(/^SAGAFLOW_METRICS_PORT: HOST=0.0.0.0 would open \/metrics/);
    expect(worker({ HOST: '0.0.0.0', SAGAFLOW_METRICS_TOKEN: 'sf_scrape' })).not.toThrow();
    expect(worker({ HOST: '0.0.0.0', SAGAFLOW_AUTH: 'off' })).not.toThrow();
    expect(worker({ HOST: '0.0.0.0', SAGAFLOW_METRICS_PORT: 'off' })).not.toThrow();
    expect(worker({})).not.toThrow();
  });
});
