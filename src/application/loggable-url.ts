/**
 * A URL fit for a log line: no credentials, query string or fragment (they may carry tokens).
 * Anything that is not an absolute URL comes back as its part before `?` or `#`.
 */
export function loggableUrl(value: string): string {
  try {
    const url = new URL(value);
    // `origin` is "null" for schemes the URL standard does not know (amqp:, postgres:, redis:).
    const origin = url.origin !== 'null' ? url.origin : `${url.protocol}//${url.host}`;
    return `${origin}${url.pathname}`;
  } catch {
    return value.split(/[?#]/, 1)[0]!.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  }
}
