/**
 * The few ANSI sequences the watch uses (ECMA-48 SGR and cursor controls), written out rather
 * than pulled in from a dependency. Nothing here is printed unless the output is a terminal.
 */

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan';

const SGR: Record<Style, [open: number, close: number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
};

export function paint(text: string, style: Style | undefined): string {
  if (style === undefined || text === '') return text;
  const [open, close] = SGR[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** Moves the cursor to the start of the line `lines` above and clears everything below it. */
export function rewind(lines: number): string {
  return `${lines > 0 ? `\u001b[${lines}A` : ''}\r\u001b[J`;
}

export const HIDE_CURSOR = '\u001b[?25l';
export const SHOW_CURSOR = '\u001b[?25h';
