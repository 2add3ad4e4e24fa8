/** How much of a client's value an error message repeats (docs/security.md, "Limits and hostile input"). */
export const MAX_ECHO_CHARS = 64;

/**
 * A value as an error message may quote it: at most {@link MAX_ECHO_CHARS} characters, then
 * `…`, so that a 900 KB name is not sent back whole (nor logged whole).
 */
export function shortEcho(text: string): string {
  return text.length > MAX_ECHO_CHARS ? `${text.slice(0, MAX_ECHO_CHARS)}…` : text;
}
