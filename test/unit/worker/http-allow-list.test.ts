import { describe, expect, it } from '@jest/globals';

import { HttpAllowList, type HostResolver } from '../../../src/interfaces/worker/handlers/http-allow-list.js';
import { parseRetryAfter } from '../../../src/interfaces/worker/handlers/http-response.js';

const resolveTo =
  (...addresses: string[]): HostResolver =>
  async () =>
    addresses;

async function verdict(
  list: HttpAllowList,
  hostname: string,
  port: number,
  resolve?: HostResolver,
): Promise<string> {
  try {
    await list.check({ hostname, port }, resolve ?? resolveTo());
    return 'allowed';
  } catch (err) {
    return (err as { code: string }).code;
  }
}

describe('HttpAllowList', () => {
  it('allows any host when empty', async () => {
    expect(HttpAllowList.parse(undefined).allowsAny).toBe(true);
    expect(HttpAllowList.parse(' , ').allowsAny).toBe(true);
    expect(await verdict(HttpAllowList.parse(''), '169.254.169.254', 80)).toBe('allowed');
  });

  it('matches names, wildcard suffixes and ports', async () => {
    const list = HttpAllowList.parse('Stock.Internal, *.pay.example, api.example.com:8443');
    expect(await verdict(list, 'stock.internal', 1234)).toBe('allowed');
    expect(await verdict(list, 'eu.pay.example', 443)).toBe('allowed');
    expect(await verdict(list, 'pay.example', 443)).toBe('non_retryable');
    expect(await verdict(list, 'api.example.com', 8443)).toBe('allowed');
    expect(await verdict(list, 'api.example.com', 443)).toBe('non_retryable');
  });

  it('matches IPv4 and IPv6 addresses, CIDRs and ip:port rules', async () => {
    const list = HttpAllowList.parse('10.0.0.0/8, fd00::/8, 192.168.1.5:8080, [::1]:9000, 172.16.0.1');
    expect(await verdict(list, '10.1.2.3', 80)).toBe('allowed');
    expect(await verdict(list, '11.0.0.1', 80)).toBe('non_retryable');
    expect(await verdict(list, 'fd12::1', 80)).toBe('allowed');
    expect(await verdict(list, '192.168.1.5', 8080)).toBe('allowed');
    expect(await verdict(list, '192.168.1.5', 80)).toBe('non_retryable');
    expect(await verdict(list, '::1', 9000)).toBe('allowed');
    expect(await verdict(list, '172.16.0.1', 1)).toBe('allowed');
  });

  it('judges an unlisted name by every address it resolves to', async () => {
    const list = HttpAllowList.parse('10.0.0.0/8');
    expect(await verdict(list, 'svc', 80, resolveTo('10.0.0.7'))).toBe('allowed');
    expect(await verdict(list, 'svc', 80, resolveTo('10.0.0.7', '169.254.169.254'))).toBe('non_retryable');
    expect(await verdict(list, 'svc', 80, resolveTo('::ffff:10.0.0.7'))).toBe('allowed');
    expect(await verdict(list, 'svc', 80, resolveTo())).toBe('non_retryable');
    const failing: HostResolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND svc'), { code: 'ENOTFOUND' });
    };
    expect(await verdict(list, 'svc', 80, failing)).toBe('retryable');
  });

  it('rejects entries it cannot read, naming them', () => {
    for (const bad of ['10.0.0.0/33', 'host:0', 'host:99999', 'a:b:c', 'bad host', '1.2.3.4/x']) {
      expect(() => HttpAllowList.parse(bad)).toThrow(bad);
    }
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP-dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
