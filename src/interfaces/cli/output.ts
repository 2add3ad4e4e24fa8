import Table from 'cli-table3';
import type { CliIo } from './cli-io.js';
import { paint, type Style } from './watch/ansi.js';
import { formatDuration, printable, span } from './watch/terminal-text.js';

/** One column of a human table: its header and how a row fills it. */
export interface Column<T> {
  header: string;
  value: (row: T) => string | number | null | undefined;
  /** A colour for the cell (only on a terminal). */
  style?: (row: T) => Style | undefined;
  align?: 'left' | 'right';
}

/** A borderless table, columns two spaces apart, like `kubectl get` or `temporal workflow list`. */
const BORDERLESS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/**
 * Everything a command prints goes through here (docs/cli.md#output). With `--json` a command
 * prints exactly the API's JSON, one document; otherwise tables and lines for a person, coloured
 * only when stdout is a terminal and neither `--no-color` nor `NO_COLOR` is set. Text that came
 * from the server is made printable first: it may hold control characters (docs/security.md).
 */
export class Output {
  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
    readonly color: boolean,
  ) {}

  /** `--json`: the API's body as it came, pretty-printed, on stdout. */
  document(body: unknown): void {
    this.io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  }

  line(text = ''): void {
    this.io.stdout.write(`${text}\n`);
  }

  paint(text: string, style: Style | undefined): string {
    return this.color ? paint(text, style) : text;
  }

  /** `label: value` lines, labels aligned. */
  fields(pairs: [label: string, value: string | number | null | undefined, style?: Style][]): void {
    const width = Math.max(...pairs.map(([label]) => label.length)) + 1;
    for (const [label, value, style] of pairs) {
      const text = value === null || value === undefined || value === '' ? '-' : printable(String(value));
      this.line(`${`${label}:`.padEnd(width)} ${this.paint(text, style)}`);
    }
  }

  table<T>(rows: readonly T[], columns: readonly Column<T>[], empty: string): void {
    if (rows.length === 0) {
      this.line(empty);
      return;
    }
    const table = new Table({
      chars: BORDERLESS,
      style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [] },
      head: columns.map((column) => this.paint(column.header, 'bold')),
      colAligns: columns.map((column) => column.align ?? 'left'),
    });
    for (const row of rows) {
      table.push(
        columns.map((column) => {
          const value = column.value(row);
          const text = value === null || value === undefined || value === '' ? '-' : printable(String(value));
          return this.paint(text, column.style?.(row));
        }),
      );
    }
    for (const line of table.toString().split('\n')) this.line(line.trimEnd());
  }
}

/** How long from `start` to `end` (or to now while running), as `1.2s`; `-` before it started. */
export function elapsed(start: string | null, end: string | null, now = Date.now()): string {
  const ms = span(start, end, now);
  return ms === null ? '-' : formatDuration(ms);
}
