import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../../src/infrastructure/logging/create-logger.js';
import { PinoAppLogger } from '../../../src/infrastructure/logging/pino-app-logger.js';
import { loggableUrl, REDACTED } from '../../../src/infrastructure/logging/redaction.js';
import { loadConfig } from '../../../src/infrastructure/config/app-config.js';
import { captureLines } from './capture.js';

function logger(level = 'info') {
  const { destination, lines } = captureLines();
  return { logger: createLogger({ level, traceCorrelation: false, destination }), lines };
}

describe('log lines', () => {
  it('are JSON with a level name, an ISO time and the message', () => {
    const { logger: log, lines } = logger();
    log.info({ run_id: 'r' }, 'hello');
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'hello', run_id: 'r', pid: process.pid });
    expect(new Date(lines[0]!.time as string).toISOString()).toBe(lines[0]!.time);
  });

  it('redact credentials in request and response headers', () => {
    const { logger: log, lines } = logger();
    log.info(
      {
        req: {
          method: 'POST',
          headers: {
            authorization: 'Bearer s3cret',
            'proxy-authorization': 'Basic s3cret',
            cookie: 'sid=s3cret',
            'x-api-key': 's3cret',
            'x-request-id': 'req-1',
          },
        },
        res: { statusCode: 200, headers: { 'set-cookie': 'sid=s3cret', 'x-request-id': 'req-1' } },
      },
      'request completed',
    );
    expect(JSON.stringify(lines[0])).not.toContain('s3cret');
    expect(lines[0]).toMatchObject({
      req: {
        method: 'POST',
        headers: {
          authorization: REDACTED,
          'proxy-authorization': REDACTED,
          cookie: REDACTED,
          'x-api-key': REDACTED,
          'x-request-id': 'req-1',
        },
      },
      res: { statusCode: 200, headers: { 'set-cookie': REDACTED, 'x-request-id': 'req-1' } },
    });
  });

  it('redact task input and output, should a message ever be logged whole', () => {
    const { logger: log, lines } = logger();
    new PinoAppLogger(log).log('a task message', {
      run_id: 'r',
      input: { card: 's3cret' },
      output: { token: 's3cret' },
    });
    expect(lines[0]).toMatchObject({ run_id: 'r', input: REDACTED, output: REDACTED });
  });

  it('keep to LOG_LEVEL', () => {
    const { logger: log, lines } = logger('warn');
    const app = new PinoAppLogger(log);
    app.debug('debug');
    app.log('info');
    app.warn('warn', { queue: 'q' });
    app.error('error');
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ['warn', 'warn'],
      ['error', 'error'],
    ]);
    expect(lines[0]).toMatchObject({ queue: 'q' });
  });

  it('of a child carry its bindings', () => {
    const { logger: log, lines } = logger();
    const amqp = new PinoAppLogger(log).child({ component: 'amqp' });
    amqp.log('connected', { generation: 2 });
    amqp.child({ queue: 'q' }).warn('cancelled');
    expect(lines).toEqual([
      expect.objectContaining({ component: 'amqp', generation: 2, msg: 'connected' }),
      expect.objectContaining({ component: 'amqp', queue: 'q', msg: 'cancelled', level: 'warn' }),
    ]);
  });
});

describe('loggableUrl', () => {
  it('drops credentials, query string and fragment', () => {
    expect(loggableUrl('https://user:pw@api.example.com:8443/v1/charge?token=s3cret#frag')).toBe(
      'https://api.example.com:8443/v1/charge',
    );
    expect(loggableUrl('http://example.com')).toBe('http://example.com/');
  });

  it('keeps only the part before a query of something that is not a URL', () => {
    expect(loggableUrl('/relative/path?token=s3cret')).toBe('/relative/path');
    expect(loggableUrl('not a url#s3cret')).toBe('not a url');
    expect(loggableUrl('http://user:s3cret@[bad/x?y')).toBe('http://[bad/x');
  });
});

describe('LOG_LEVEL', () => {
  it('is one of pino levels, info by default', () => {
    expect(loadConfig({}).logLevel).toBe('info');
    expect(loadConfig({ LOG_LEVEL: ' WARN ' }).logLevel).toBe('warn');
    expect(loadConfig({ LOG_LEVEL: 'silent' }).logLevel).toBe('silent');
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL: expected one of fatal, error/);
  });
});
