import ipaddr from 'ipaddr.js';

import { NonRetryableError } from '../../../domain/errors/task-errors.js';
import { canonicalAddress, nonPublicRange, parseIp } from './http-address-policy.js';

interface NameRule {
  /** `example.com`, or the suffix `.example.com` for a `*.example.com` rule. */
  name: string;
  wildcard: boolean;
  /** undefined: any port. */
  port: number | undefined;
}

interface AddressRule {
  range: [ipaddr.IPv4 | ipaddr.IPv6, number];
  /** undefined: any port. */
  port: number | undefined;
}

/**
 * `SAGAFLOW_HTTP_ALLOW`: what the `http` handler may connect to besides public unicast
 * addresses (see {@link nonPublicRange}). Entries (comma list): `*` (anything), `host`,
 * `*.suffix`, `host:port`, an IP literal (`10.0.0.1`, `::1`, `[::1]:8080`, `10.0.0.1:8080`)
 * or a CIDR (`10.0.0.0/8`, `fd00::/8`). Empty: public addresses only.
 *
 * A host listed by name may be connected to at whatever address it resolves to; any other
 * host only at public addresses and addresses inside an IP or CIDR rule. The list only
 * answers questions: the connect-time check lives in the handler's dispatcher
 * (http-dispatcher.ts), which asks it about each address it is about to connect to.
 */
export class HttpAllowList {
  private readonly names: NameRule[] = [];
  private readonly addresses: AddressRule[] = [];
  private any = false;

  private constructor(readonly source: string) {}

  /** Parses the variable's value; throws on an entry it cannot read, naming it. */
  static parse(raw: string | undefined): HttpAllowList {
    const list = new HttpAllowList(raw ?? '');
    for (const entry of (raw ?? '').split(',')) {
      const trimmed = entry.trim().toLowerCase();
      if (trimmed !== '') list.add(trimmed);
    }
    return list;
  }

  /** True for `*`: no address is denied. */
  get allowsAny(): boolean {
    return this.any;
  }

  /** Whether `hostname` is listed by name (so any address it resolves to may be used). */
  allowsName(hostname: string, port: number): boolean {
    return this.any || this.names.some((rule) => matchesName(rule, hostname, port));
  }

  /**
   * Why connecting to `address` on `port` is denied, or undefined when it is allowed: a public
   * unicast address, or one inside an IP or CIDR rule.
   */
  denial(address: string, port: number): string | undefined {
    if (this.any) return undefined;
    const range = nonPublicRange(address);
    if (range === undefined || this.matchesAddress(address, port)) return undefined;
    return range;
  }

  /** Throws the non-retryable failure for a denied connection; does nothing for an allowed one. */
  assertAllowed(address: string, port: number, hostname: string): void {
    const range = this.denial(address, port);
    if (range === undefined) return;
    throw deniedError(address, port, hostname, range);
  }

  private add(entry: string): void {
    if (entry === '*') {
      this.any = true;
      return;
    }
    if (entry.includes('/')) {
      this.addCidr(entry);
      return;
    }
    const bracketed = /^\[([0-9a-f:.]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      this.addAddress(entry, bracketed[1] ?? '', bracketed[2]);
      return;
    }
    if (ipaddr.IPv6.isValid(entry)) {
      this.addAddress(entry, entry, undefined);
      return;
    }
    const [host = '', port, ...rest] = entry.split(':');
    if (rest.length > 0 || host === '') throw invalidEntry(entry);
    if (ipaddr.IPv4.isValidFourPartDecimal(host)) {
      this.addAddress(entry, host, port);
      return;
    }
    const wildcard = host.startsWith('*.');
    const name = (wildcard ? host.slice(1) : host).replace(/\.$/, '');
    if (!/^\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(name)) throw invalidEntry(entry);
    this.names.push({ name, wildcard, port: port === undefined ? undefined : parsePort(entry, port) });
  }

  private addCidr(entry: string): void {
    try {
      const [address, prefix] = ipaddr.parseCIDR(entry);
      this.addresses.push({ range: [unmapped(address), unmappedPrefix(address, prefix)], port: undefined });
    } catch {
      throw invalidEntry(entry);
    }
  }

  private addAddress(entry: string, text: string, portText: string | undefined): void {
    const address = parseIp(text);
    if (address === undefined) throw invalidEntry(entry);
    const port = portText === undefined ? undefined : parsePort(entry, portText);
    this.addresses.push({ range: [unmapped(address), address.kind() === 'ipv6' ? 128 : 32], port });
  }

  private matchesAddress(raw: string, port: number): boolean {
    const parsed = parseIp(raw);
    if (parsed === undefined) return false;
    const address = unmapped(parsed);
    return this.addresses.some(
      (rule) =>
        (rule.port === undefined || rule.port === port) &&
        rule.range[0].kind() === address.kind() &&
        address.match(rule.range),
    );
  }
}

/** A failure that names the address, why it is denied and the variable that would allow it. */
export function deniedError(
  address: string,
  port: number,
  hostname: string,
  range: string,
): NonRetryableError {
  const shown = canonicalAddress(address);
  const via = canonicalAddress(hostname) === shown ? '' : ` (host ${hostname})`;
  return new NonRetryableError(
    `http task may not connect to ${shown} port ${port}${via}: ${range} address, not allowed by SAGAFLOW_HTTP_ALLOW`,
  );
}

/** An IPv4-mapped IPv6 address reaches the IPv4 host: judge it by the IPv4 rules. */
function unmapped(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

function unmappedPrefix(address: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): number {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && prefix >= 96
    ? prefix - 96
    : prefix;
}

function matchesName(rule: NameRule, hostname: string, port: number): boolean {
  if (rule.port !== undefined && rule.port !== port) return false;
  return rule.wildcard ? hostname.endsWith(rule.name) : hostname === rule.name;
}

function parsePort(entry: string, text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw invalidEntry(entry);
  return port;
}

function invalidEntry(entry: string): Error {
  return new Error(
    `SAGAFLOW_HTTP_ALLOW: cannot read entry "${entry}" (expected *, host, host:port, IP or CIDR)`,
  );
}
