import { lookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';

import { Agent, buildConnector } from 'undici';

import type { HttpAllowList } from './http-allow-list.js';
import { deniedError } from './http-allow-list.js';

/** Resolves a host name to all its addresses (injectable so tests need no DNS server). */
export type HostResolver = (hostname: string) => Promise<string[]>;

export const dnsResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * The undici dispatcher every `http` task request (and each redirect hop) goes through. Its
 * connector judges the address the socket is about to connect to, after name resolution
 * and inside the connect, so a DNS answer that changes between a check and the request
 * (rebinding) cannot slip past: an IP literal is judged before `net.connect`, a name by the
 * `lookup` hook `net.connect` calls, which fails the connect when any address it resolves
 * to is denied. A pooled connection was judged when it was opened.
 */
export function createGuardedAgent(allowList: HttpAllowList, resolve: HostResolver = dnsResolver): Agent {
  const connectors = new Map<string, buildConnector.connector>();
  const connectorFor = (port: number, checked: boolean): buildConnector.connector => {
    const key = `${checked ? 'checked' : 'listed'}:${port}`;
    let connector = connectors.get(key);
    if (connector === undefined) {
      connector = buildConnector({ lookup: resolvingLookup(resolve, checked ? allowList : undefined, port) });
      connectors.set(key, connector);
    }
    return connector;
  };

  const connect: buildConnector.connector = (options, callback) => {
    const hostname = options.hostname
      .replace(/^\[(.*)\]$/, '$1')
      .replace(/\.$/, '')
      .toLowerCase();
    const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
    if (isIP(hostname) !== 0) {
      const range = allowList.denial(hostname, port);
      if (range !== undefined) {
        callback(deniedError(hostname, port, hostname, range), null);
        return;
      }
      connectorFor(port, false)(options, callback);
      return;
    }
    connectorFor(port, !allowList.allowsName(hostname, port))(options, callback);
  };

  return new Agent({ connect });
}

/**
 * A `net.connect` lookup through `resolve`; with `allowList`, it fails (non-retryably) when any
 * address the name resolves to is denied, rather than connect to the allowed ones only: a
 * name that mixes internal and public addresses is suspicious, and the message says why.
 */
function resolvingLookup(
  resolve: HostResolver,
  allowList: HttpAllowList | undefined,
  port: number,
): LookupFunction {
  return (hostname, options, callback) => {
    const answer = async (): Promise<{ address: string; family: number }[]> => {
      const addresses = await resolve(hostname);
      for (const address of addresses) allowList?.assertAllowed(address, port, hostname);
      const entries = addresses
        .map((address) => ({ address, family: isIP(address) }))
        .filter((entry) => entry.family !== 0 && (!options.family || entry.family === options.family));
      if (entries.length === 0) {
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
      }
      return entries;
    };
    answer().then(
      (entries) => {
        if (options.all === true) {
          callback(null, entries);
        } else {
          const [first] = entries as [{ address: string; family: number }];
          callback(null, first.address, first.family);
        }
      },
      (err: unknown) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };
}
