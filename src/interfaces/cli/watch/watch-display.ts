import { HIDE_CURSOR, rewind, SHOW_CURSOR } from './ansi.js';
import { describeEvent, formatChange } from './event-lines.js';
import { renderRun } from './render-run.js';
import type { EventJson, RunJson } from './run-json.js';

/** Where the watch writes: a terminal (`isTTY`, `columns`, `rows`) or any other stream. */
export type WatchOutput = NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };

/**
 * What `sagaflow runs watch` shows while it follows a run, in one of three forms:
 * a frame redrawn in place on a terminal, a line per change elsewhere, or one JSON document.
 */
export interface WatchDisplay {
  /** Whether it draws fresh snapshots of the run while watching (only the terminal frame does). */
  readonly live: boolean;
  /** A new event of the run, once each, in `seq` order. */
  event(event: EventJson): void;
  /** The run as last read. */
  snapshot(run: RunJson): void;
  /** A note about the connection (null clears it). */
  notice(text: string | null): void;
  /** The final run: `view` drawn, or `raw` (the GET's body as it came) as JSON; resolves once written. */
  finish(view: RunJson, raw: unknown): Promise<void>;
  /** Stops its timers and gives the terminal back (cursor shown); safe to call more than once. */
  close(): void;
}

export interface DisplayOptions {
  out: WatchOutput;
  color: boolean;
  json: boolean;
  /** The run as first read: the frame starts from it, and the lines pad task keys to its widest. */
  initial: RunJson;
  /** The clock durations of running tasks are measured to. @default Date.now */
  clock?: () => number;
  /** How often a terminal frame is redrawn so that running durations move. @default 1000 */
  tickMs?: number;
}

export function createDisplay(options: DisplayOptions): WatchDisplay {
  if (options.json) return new JsonDisplay(options.out);
  const clock = options.clock ?? Date.now;
  if (options.out.isTTY === true) {
    return new TerminalDisplay(options.out, options.color, options.initial, clock, options.tickMs ?? 1_000);
  }
  return new LineDisplay(options.out, options.initial, clock);
}

function write(out: WatchOutput, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(text, (error?: Error | null) => (error ? reject(error) : resolve()));
  });
}

/** Nothing while watching, then exactly one JSON document: the final run as `GET /v1/runs/{id}` returned it. */
class JsonDisplay implements WatchDisplay {
  readonly live = false;

  constructor(private readonly out: WatchOutput) {}

  event(): void {}
  snapshot(): void {}
  notice(): void {}

  finish(_view: RunJson, raw: unknown): Promise<void> {
    return write(this.out, `${JSON.stringify(raw, null, 2)}\n`);
  }

  close(): void {}
}

/**
 * Not a terminal (a pipe, a file, CI logs): a line per change, from the events, then the final
 * frame. Never an escape sequence, whatever the colour setting says.
 */
class LineDisplay implements WatchDisplay {
  readonly live = false;
  private readonly subjectColumns: number;

  constructor(
    private readonly out: WatchOutput,
    initial: RunJson,
    private readonly clock: () => number,
  ) {
    this.subjectColumns = Math.max(3, ...initial.tasks.map((task) => task.key.length));
  }

  event(event: EventJson): void {
    this.out.write(`${formatChange(describeEvent(event), this.subjectColumns)}\n`);
  }

  snapshot(): void {}
  notice(): void {}

  finish(view: RunJson): Promise<void> {
    return write(this.out, `\n${renderRun(view, { now: this.clock(), color: false })}\n`);
  }

  close(): void {}
}

/**
 * A terminal: the frame redrawn in place (cursor up over the last frame, clear below, draw),
 * cut to the terminal's width so that no line wraps and the line count stays true, and to its
 * height so that the top never scrolls out of reach. Redrawn every tick for running durations.
 */
class TerminalDisplay implements WatchDisplay {
  readonly live = true;
  private drawn = 0;
  private cursorHidden = false;
  private note: string | null = null;
  private readonly ticker: NodeJS.Timeout;

  constructor(
    private readonly out: WatchOutput,
    private readonly color: boolean,
    private run: RunJson,
    private readonly clock: () => number,
    tickMs: number,
  ) {
    this.ticker = setInterval(() => this.draw(false), tickMs);
    this.ticker.unref();
    this.draw(false);
  }

  event(): void {}

  snapshot(run: RunJson): void {
    this.run = run;
    this.draw(false);
  }

  notice(text: string | null): void {
    if (text === this.note) return;
    this.note = text;
    this.draw(false);
  }

  finish(view: RunJson): Promise<void> {
    clearInterval(this.ticker);
    this.run = view;
    this.note = null;
    // The last frame stays on screen and is never redrawn, so it may be as tall as it needs.
    const text = this.frame(true);
    this.drawn = 0;
    return write(this.out, text + this.restoreCursor());
  }

  close(): void {
    clearInterval(this.ticker);
    const restore = this.restoreCursor();
    if (restore !== '') this.out.write(restore);
  }

  private draw(final: boolean): void {
    this.out.write(this.frame(final));
  }

  private frame(final: boolean): string {
    const { columns, rows } = this.out;
    const frame = renderRun(this.run, {
      now: this.clock(),
      color: this.color,
      width: columns !== undefined && columns > 1 ? columns - 1 : undefined,
      maxLines: final || rows === undefined || rows < 2 ? undefined : rows - 1,
      notice: this.note,
    });
    const hide = this.cursorHidden ? '' : HIDE_CURSOR;
    this.cursorHidden = true;
    const text = `${hide}${rewind(this.drawn)}${frame}\n`;
    this.drawn = frame.split('\n').length;
    return text;
  }

  private restoreCursor(): string {
    if (!this.cursorHidden) return '';
    this.cursorHidden = false;
    return SHOW_CURSOR;
  }
}
