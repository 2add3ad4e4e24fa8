/**
 * Text for a terminal: what the server sends is made safe to print, measured in columns, and cut
 * to fit. Task errors come from task handlers and `http` task targets (docs/security.md treats
 * them as hostile input), so a message could carry escape sequences that move the cursor, retitle
 * the window or rewrite the screen: every control character is replaced before anything is drawn.
 */

/** C0 and C1 controls and DEL (ESC among them), and the line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Server text on one line: tabs and line breaks become spaces, other controls `�`. */
export function printable(text: string): string {
  return text.replace(CONTROLS, (char) => (char === '\t' || char === '\n' || char === '\r' ? ' ' : '\ufffd'));
}

/**
 * Columns a code point takes: 0 for combining marks and zero-width characters, 2 for East Asian
 * wide and fullwidth characters and emoji, 1 otherwise. An approximation of wcwidth that covers
 * what task keys (ASCII), statuses and usual error messages contain.
 */
export function codePointWidth(code: number): number {
  if (
    (code >= 0x0300 && code <= 0x036f) ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0xfe00 && code <= 0xfe0f) ||
    code === 0xfeff
  ) {
    return 0;
  }
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f680 && code <= 0x1f6ff) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x1fa70 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

export function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += codePointWidth(char.codePointAt(0)!);
  return width;
}

/** The longest prefix of `text` at most `columns` wide. */
export function takeColumns(text: string, columns: number): string {
  let width = 0;
  let end = 0;
  for (const char of text) {
    const w = codePointWidth(char.codePointAt(0)!);
    if (width + w > columns) break;
    width += w;
    end += char.length;
  }
  return text.slice(0, end);
}

/** `text` padded with spaces to `columns` (never cut). */
export function padEnd(text: string, columns: number): string {
  const width = textWidth(text);
  return width >= columns ? text : text + ' '.repeat(columns - width);
}

/** `text` padded on the left to `columns` (never cut). */
export function padStart(text: string, columns: number): string {
  const width = textWidth(text);
  return width >= columns ? text : ' '.repeat(columns - width) + text;
}

/**
 * A duration as people read it: `850ms`, `2.4s`, `4m05s`, `1h02m`. Negative spans (clocks of
 * two machines) count as 0.
 */
export function formatDuration(ms: number): string {
  const span = Math.max(0, Math.floor(ms));
  if (span < 1_000) return `${span}ms`;
  if (span < 60_000) return `${(Math.floor(span / 100) / 10).toFixed(1)}s`;
  const seconds = Math.floor(span / 1_000);
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** From `start` to `end`, or to `now` while `end` is null; null when it never started. */
export function span(start: string | null, end: string | null, now: number): number | null {
  if (start === null) return null;
  const from = Date.parse(start);
  if (Number.isNaN(from)) return null;
  const to = end === null ? now : Date.parse(end);
  return Number.isNaN(to) ? null : to - from;
}
