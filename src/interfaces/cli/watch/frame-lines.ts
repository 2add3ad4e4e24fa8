import { paint, type Style } from './ansi.js';
import { printable, takeColumns, textWidth } from './terminal-text.js';

/**
 * Lines of a frame as styled cells: the text of each cell is made printable when it is made,
 * padding stays unstyled so that it can be trimmed, and a line is cut to the terminal's width
 * before it is painted, so escapes never count as columns nor get cut in half.
 */
export interface Cell {
  text: string;
  style?: Style;
}

export type Line = Cell[];

/** The text in its style, then the padding unstyled (so that it can be trimmed). */
export function padded(text: string, columns: number, style: Style | undefined): Line {
  const safe = printable(text);
  return [{ text: safe, style }, { text: ' '.repeat(Math.max(0, columns - textWidth(safe))) }];
}

export function cell(text: string, style?: Style): Cell {
  return { text: printable(text), style };
}

/** The line as text: trailing blanks trimmed, cut to `width` columns when given, painted when `color`. */
export function finishLine(line: Line, width: number | undefined, color: boolean): string {
  const cells = trimEnd(line);
  const fitted = width === undefined ? cells : cut(cells, width);
  return fitted.map((c) => (color ? paint(c.text, c.style) : c.text)).join('');
}

function trimEnd(line: Line): Line {
  const cells = [...line];
  while (cells.length > 0) {
    const last = cells[cells.length - 1]!;
    const trimmed = last.text.replace(/\s+$/, '');
    if (trimmed !== '') {
      cells[cells.length - 1] = { ...last, text: trimmed };
      break;
    }
    cells.pop();
  }
  return cells;
}

/** The cells that fit in `width` columns, the last one cut and ended with `…` when it does not. */
function cut(cells: Line, width: number): Line {
  const total = cells.reduce((sum, c) => sum + textWidth(c.text), 0);
  if (total <= width) return cells;
  const out: Line = [];
  let room = Math.max(0, width - 1);
  for (const c of cells) {
    const w = textWidth(c.text);
    if (w <= room) {
      out.push(c);
      room -= w;
      continue;
    }
    out.push({ ...c, text: `${takeColumns(c.text, room)}…` });
    return out;
  }
  return out;
}
