/**
 * A URL fit for a log line: no credentials, query string or fragment (they may carry tokens).
 * Anything that is not an absolute URL comes back as its part before `?` or `#`.
 */
export function loggableUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.origin}${url.pathname}`;
  } catch {
    return value.split(/[?#]/, 1)[0]!.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  }
}
