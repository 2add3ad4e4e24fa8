import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { nonPublicRange } from '../../../src/interfaces/worker/handlers/http-address-policy.js';
import { HttpAllowList } from '../../../src/interfaces/worker/handlers/http-allow-list.js';
import { parseRetryAfter } from '../../../src/interfaces/worker/handlers/http-response.js';

/** The hostname an http task's URL reaches: WHATWG URL rewrites odd IPv4 spellings. */
const hostOf = (url: string): string => new URL(url).hostname;

describe('nonPublicRange', () => {
  it.each([
    ['http://127.0.0.1/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f000001/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://127.0.0.1./', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'ipv4Mapped loopback'],
    ['http://[::ffff:7f00:1]/', 'ipv4Mapped loopback'],
    ['http://[0:0:0:0:0:ffff:7f00:1]/', 'ipv4Mapped loopback'],
    ['http://[::127.0.0.1]/', 'reserved'],
    ['http://10.0.0.1/', 'private'],
    ['http://172.16.5.4/', 'private'],
    ['http://192.168.1.1/', 'private'],
    ['http://100.64.0.1/', 'carrierGradeNat'],
    ['http://169.254.169.254/', 'linkLocal'],
    ['http://[::ffff:169.254.169.254]/', 'ipv4Mapped linkLocal'],
    ['http://[fd00:ec2::254]/', 'uniqueLocal'],
    ['http://[fe80::1]/', 'linkLocal'],
    ['http://[64:ff9b::7f00:1]/', 'rfc6052'],
    ['http://[2002:7f00:1::]/', '6to4'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://[ff02::1]/', 'multicast'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://0/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['http://255.255.255.255/', 'broadcast'],
    ['http://240.0.0.1/', 'reserved'],
  ])('%s is %s', (url, range) => {
    expect(nonPublicRange(hostOf(url))).toBe(range);
  });

  it.each([
    'http://93.184.215.14/',
    'http://8.8.8.8/',
    'http://[2606:4700::1111]/',
    'http://[::ffff:8.8.8.8]/',
  ])('%s is public', (url) => {
    expect(nonPublicRange(hostOf(url))).toBeUndefined();
  });

  it('calls a name "invalid": only addresses are judged', () => {
    expect(nonPublicRange('localhost')).toBe('invalid');
  });

  it('judges every IPv4-mapped IPv6 spelling as its IPv4 address', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
        const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
        const v4Range = nonPublicRange(v4);
        const expected = v4Range === undefined ? undefined : `ipv4Mapped ${v4Range}`;
        for (const mapped of [`::ffff:${v4}`, `::ffff:${hex}`, `0:0:0:0:0:ffff:${hex}`, `[::FFFF:${v4}]`]) {
          expect(nonPublicRange(mapped)).toBe(expected);
          expect(nonPublicRange(hostOf(`http://[${mapped.replace(/^\[|\]$/g, '')}]/`))).toBe(expected);
        }
      }),
    );
  });

  it('denies every IPv4-compatible and NAT64 form of an IPv4 address', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        expect(nonPublicRange(`::${v4}`)).toBeDefined();
        expect(nonPublicRange(`64:ff9b::${v4}`)).toBeDefined();
      }),
    );
  });
});

describe('HttpAllowList', () => {
  it('denies non-public addresses when empty and allows public ones', () => {
    for (const raw of [undefined, '', ' , ']) {
      const list = HttpAllowList.parse(raw);
      expect(list.denial('169.254.169.254', 80)).toBe('linkLocal');
      expect(list.denial('127.0.0.1', 80)).toBe('loopback');
      expect(list.denial('8.8.8.8', 80)).toBeUndefined();
      expect(list.allowsName('localhost', 80)).toBe(false);
    }
  });

  it('allows anything with *', () => {
    const list = HttpAllowList.parse('*');
    expect(list.allowsAny).toBe(true);
    expect(list.denial('127.0.0.1', 80)).toBeUndefined();
    expect(list.allowsName('anything', 1)).toBe(true);
  });

  it('matches names, wildcard suffixes and ports', () => {
    const list = HttpAllowList.parse('Stock.Internal, *.pay.example, api.example.com:8443');
    expect(list.allowsName('stock.internal', 1234)).toBe(true);
    expect(list.allowsName('eu.pay.example', 443)).toBe(true);
    expect(list.allowsName('pay.example', 443)).toBe(false);
    expect(list.allowsName('api.example.com', 8443)).toBe(true);
    expect(list.allowsName('api.example.com', 443)).toBe(false);
  });

  it('matches IPv4 and IPv6 addresses, CIDRs and ip:port rules, mapped forms included', () => {
    const list = HttpAllowList.parse('10.0.0.0/8, fd00::/8, 192.168.1.5:8080, [::1]:9000, 172.16.0.1');
    expect(list.denial('10.1.2.3', 80)).toBeUndefined();
    expect(list.denial('::ffff:10.1.2.3', 80)).toBeUndefined();
    expect(list.denial('11.0.0.1', 80)).toBeUndefined(); // public anyway
    expect(list.denial('100.64.0.1', 80)).toBe('carrierGradeNat');
    expect(list.denial('fd12::1', 80)).toBeUndefined();
    expect(list.denial('192.168.1.5', 8080)).toBeUndefined();
    expect(list.denial('192.168.1.5', 80)).toBe('private');
    expect(list.denial('::1', 9000)).toBeUndefined();
    expect(list.denial('::1', 9001)).toBe('loopback');
    expect(list.denial('172.16.0.1', 1)).toBeUndefined();
  });

  it('names the address, the host and SAGAFLOW_HTTP_ALLOW in a denial', () => {
    const list = HttpAllowList.parse('');
    expect(() => list.assertAllowed('::ffff:7f00:1', 8080, 'evil.example')).toThrow(
      'http task may not connect to ::ffff:127.0.0.1 port 8080 (host evil.example): ipv4Mapped loopback address, not allowed by SAGAFLOW_HTTP_ALLOW',
    );
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
