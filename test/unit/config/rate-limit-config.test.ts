import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../../src/infrastructure/config/app-config.js';
import { ConfigError } from '../../../src/infrastructure/config/config-variables.js';

/** SAGAFLOW_RATE_LIMIT (docs/security.md#rate-limits): on by default exactly when auth is. */
describe('SAGAFLOW_RATE_LIMIT', () => {
  it('defaults to 100/1m with auth on and off with auth off', () => {
    expect(loadConfig({ SAGAFLOW_AUTH: 'on' }).rateLimit).toEqual({ limit: 100, windowMs: 60_000 });
    expect(loadConfig({ HOST: '0.0.0.0', SAGAFLOW_AUTH: 'on' }).rateLimit).toEqual({
      limit: 100,
      windowMs: 60_000,
    });
    expect(loadConfig({}).rateLimit).toBeNull();
  });

  it('reads <n>/<window> and off, whatever the mode', () => {
    expect(loadConfig({ SAGAFLOW_RATE_LIMIT: '20/10s' }).rateLimit).toEqual({ limit: 20, windowMs: 10_000 });
    expect(loadConfig({ SAGAFLOW_AUTH: 'on', SAGAFLOW_RATE_LIMIT: 'OFF' }).rateLimit).toBeNull();
  });

  it.each(['100', '100/1d', '0/1m', '-5/1m', 'lots'])('refuses %j, naming the variable', (value) => {
    const attempt = () => loadConfig({ SAGAFLOW_RATE_LIMIT: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/^SAGAFLOW_RATE_LIMIT: expected <n>\/<window>/);
  });
});
