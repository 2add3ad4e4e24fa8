import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

import { NonRetryableError, RetryableError, isErrorLike } from '../../../domain/errors/task-errors.js';

/** Resolves a host name to all its addresses (injectable so tests need no DNS server). */
export type HostResolver = (hostname: string) => Promise<string[]>;

export const dnsResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

export interface HttpTarget {
  /** Lower-case host name or IP literal, without IPv6 brackets or a trailing dot. */
  hostname: string;
  port: number;
}

interface NameRule {
  /** `example.com`, or the suffix `.example.com` for a `*.example.com` rule. */
  name: string;
  wildcard: boolean;
  /** undefined: any port. */
  port: number | undefined;
}

/**
 * `SAGAFLOW_HTTP_ALLOW`: which hosts the `http` handler may call. Entries (comma list):
 * `host`, `*.suffix`, `host:port`, an IP literal (`10.0.0.1`, `::1`, `[::1]:8080`) or a CIDR
 * (`10.0.0.0/8`, `fd00::/8`). Empty allows any host.
 *
 * A host name listed by name is allowed as it is. Any other name is resolved with
 * `dns.lookup` and allowed only when every address it resolves to matches an IP or CIDR
 * rule, so a name that points at a forbidden address (say, a cloud metadata IP) is blocked.
 * The request then resolves the name again; a DNS answer that changes in between (rebinding)
 * is not caught — pin addresses in DNS or list names if that matters.
 */
export class HttpAllowList {
  private readonly names: NameRule[] = [];
  /** IP and CIDR rules valid on any port. */
  private readonly anyPort = new BlockList();
  /** IP rules that name a port (`10.0.0.1:8080`). */
  private readonly byPort = new Map<number, BlockList>();
  private ipRuleCount = 0;

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

  /** True when no rule is set: any host may be called. */
  get allowsAny(): boolean {
    return this.names.length === 0 && this.ipRuleCount === 0;
  }

  /**
   * Resolves when `target` may be called; throws `NonRetryableError` naming the host when
   * it may not, `RetryableError` when the name could not be resolved (DNS can recover).
   */
  async check(target: HttpTarget, resolve: HostResolver = dnsResolver): Promise<void> {
    if (this.allowsAny) return;
    const { hostname, port } = target;
    if (isIP(hostname) !== 0) {
      if (this.matchesAddress(hostname, port)) return;
      throw new NonRetryableError(`host ${hostname}:${port} is not allowed by SAGAFLOW_HTTP_ALLOW`);
    }
    if (this.names.some((rule) => matchesName(rule, hostname, port))) return;
    if (this.ipRuleCount > 0) {
      let addresses: string[];
      try {
        addresses = await resolve(hostname);
      } catch (err) {
        throw new RetryableError(`could not resolve host ${hostname}: ${errorText(err)}`, { cause: err });
      }
      if (addresses.length > 0 && addresses.every((address) => this.matchesAddress(address, port))) return;
      throw new NonRetryableError(
        `host ${hostname}:${port} (${addresses.join(', ')}) is not allowed by SAGAFLOW_HTTP_ALLOW`,
      );
    }
    throw new NonRetryableError(`host ${hostname}:${port} is not allowed by SAGAFLOW_HTTP_ALLOW`);
  }

  private add(entry: string): void {
    const slash = entry.indexOf('/');
    if (slash >= 0) {
      this.addCidr(entry, entry.slice(0, slash), entry.slice(slash + 1));
      return;
    }
    const bracketed = /^\[([0-9a-f:.]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      this.addAddress(entry, bracketed[1] ?? '', bracketed[2]);
      return;
    }
    if (isIP(entry) !== 0) {
      this.addAddress(entry, entry, undefined);
      return;
    }
    const [host = '', port, ...rest] = entry.split(':');
    if (rest.length > 0 || host === '') throw invalidEntry(entry);
    if (isIP(host) !== 0) {
      this.addAddress(entry, host, port);
      return;
    }
    const wildcard = host.startsWith('*.');
    const name = (wildcard ? host.slice(1) : host).replace(/\.$/, '');
    if (!/^\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(name)) throw invalidEntry(entry);
    this.names.push({ name, wildcard, port: port === undefined ? undefined : parsePort(entry, port) });
  }

  private addCidr(entry: string, address: string, prefixText: string): void {
    const family = isIP(address);
    const prefix = Number(prefixText);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || !/^\d+$/.test(prefixText) || prefix > max) throw invalidEntry(entry);
    this.anyPort.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
    this.ipRuleCount++;
  }

  private addAddress(entry: string, address: string, portText: string | undefined): void {
    const family = isIP(address);
    if (family === 0) throw invalidEntry(entry);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (portText === undefined) {
      this.anyPort.addAddress(address, type);
    } else {
      const port = parsePort(entry, portText);
      const list = this.byPort.get(port) ?? new BlockList();
      list.addAddress(address, type);
      this.byPort.set(port, list);
    }
    this.ipRuleCount++;
  }

  private matchesAddress(raw: string, port: number): boolean {
    // An IPv4-mapped IPv6 address reaches the IPv4 host: judge it by the IPv4 rules.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(raw)?.[1];
    const address = mapped ?? raw;
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    return this.anyPort.check(address, type) || (this.byPort.get(port)?.check(address, type) ?? false);
  }
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
    `SAGAFLOW_HTTP_ALLOW: cannot read entry "${entry}" (expected host, host:port, IP or CIDR)`,
  );
}

function errorText(err: unknown): string {
  if (isErrorLike(err)) return (err as NodeJS.ErrnoException).code ?? err.message;
  return String(err);
}
