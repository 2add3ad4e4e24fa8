import ipaddr from 'ipaddr.js';

const IPV6_RESERVED_ZERO = ipaddr.parseCIDR('::/8');

/**
 * Parses an IP address as a connection would use it, or undefined for anything else (names,
 * zone ids). IPv6 text goes through WHATWG URL first, because ipaddr.js reads an embedded
 * IPv4 tail (`::1.2.3.4`) as IPv4-mapped while the socket connects to `::102:304`.
 */
export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  let address = text.replace(/^\[(.*)\]$/, '$1');
  if (address.includes(':')) {
    try {
      address = new URL(`http://[${address}]/`).hostname.slice(1, -1);
    } catch {
      return undefined;
    }
    return ipaddr.IPv6.isValid(address) ? ipaddr.IPv6.parse(address) : undefined;
  }
  return ipaddr.IPv4.isValid(address) ? ipaddr.IPv4.parse(address) : undefined;
}

/**
 * Why `address` is not a public unicast address (the ipaddr.js range name: `loopback`,
 * `private`, `linkLocal`, `carrierGradeNat`, `uniqueLocal`, `rfc6052` for NAT64, …), or
 * undefined when it is one. An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) is judged as the
 * IPv4 address it reaches; every other IPv6 address in `::/8` (IPv4-compatible `::7f00:1`,
 * unspecified, loopback) and every tunnel or translation prefix (6to4, Teredo, NAT64) is
 * denied, since it can lead to an address the check would not see. Anything that is not an
 * IP address at all is `invalid`.
 */
export function nonPublicRange(address: string): string | undefined {
  const ip = parseIp(address);
  if (ip === undefined) return 'invalid';
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) {
      const v4Range = v6.toIPv4Address().range();
      return v4Range === 'unicast' ? undefined : `ipv4Mapped ${v4Range}`;
    }
    const range = v6.range();
    if (range !== 'unicast') return range;
    return v6.match(IPV6_RESERVED_ZERO) ? 'reserved' : undefined;
  }
  const range = ip.range();
  return range === 'unicast' ? undefined : range;
}

/** The text of an IP address for messages (`::ffff:7f00:1` → `::ffff:127.0.0.1`). */
export function canonicalAddress(address: string): string {
  const ip = parseIp(address);
  if (ip === undefined) return address;
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) {
    return `::ffff:${(ip as ipaddr.IPv6).toIPv4Address().toString()}`;
  }
  return ip.toString();
}
