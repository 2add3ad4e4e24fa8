import type { Style } from './ansi.js';
import { COMPENSATION_STYLE, RUN_STYLE, TASK_LOOK } from '../status-styles.js';
import { cell, finishLine, padded, type Line } from './frame-lines.js';
import { compensationPass, taskLevels, type TaskLevel } from './run-graph.js';
import type { RunJson, TaskJson } from './run-json.js';
import { formatDuration, padEnd, padStart, printable, span, textWidth } from './terminal-text.js';

/**
 * The frame of `sagaflow runs watch`: one run drawn as text, with no I/O and no clock of its own,
 * so the same run and `now` always give the same string (the snapshot tests rely on it).
 *
 * ```
 * run 0b6f3c1e-5d2a-4c8e-9f10-2a3b4c5d6e7f  order-saga v1  COMPENSATED  4.7s
 *   error: charge: POST http://127.0.0.1:47/charge failed: ECONNREFUSED
 *   3 tasks: 1 failed, 1 skipped, 1 compensated
 *
 *   level    task     status               attempt  time    depends on
 *   1      ↶ reserve  COMPENSATED                1  120ms
 *   2      ✗ charge   FAILED                     3  400ms   reserve
 *            ↳ POST http://127.0.0.1:47/charge failed: ECONNREFUSED
 *   3      – ship     SKIPPED                    -  -       charge
 *
 *   compensation, in reverse order
 *   1      ↶ reserve  COMPLETED                  1  120ms
 * ```
 */
export interface RenderOptions {
  /** The time running tasks are measured to (ms since the epoch). */
  now: number;
  /** ANSI colours and bold; off, the frame is plain text. */
  color: boolean;
  /** Terminal columns: every line is cut to fit (with `…`). Absent: lines are never cut. */
  width?: number;
  /**
   * Terminal rows the frame may take. A frame that would be taller keeps the tasks that are
   * moving or failed (then the first others) and says how many rows it left out, so a frame
   * redrawn in place never scrolls off the screen. Absent: every task is drawn.
   */
  maxLines?: number;
  /** One line at the foot, e.g. that the connection was lost and is being retried. */
  notice?: string | null;
}

/** A task (or compensation) with its detail line: kept or left out together. */
interface Row {
  lines: Line[];
  /** Moving or failed: kept first when the frame must shrink. */
  salient: boolean;
}

/** Statuses whose rows a shrunk frame keeps first: what is moving, and what went wrong. */
const SALIENT: ReadonlySet<string> = new Set([
  'QUEUED',
  'RUNNING',
  'RETRYING',
  'FAILED',
  'COMPENSATING',
  'COMPENSATION_FAILED',
]);

/** The order of the summary line's counts. */
const SUMMARY_ORDER = Object.keys(TASK_LOOK);

const STATUS_COLUMNS = 'COMPENSATION_FAILED'.length;
const ATTEMPT_COLUMNS = 'attempt'.length;
const TIME_COLUMNS = 6;

export function renderRun(run: RunJson, options: RenderOptions): string {
  const levels = taskLevels(run.tasks);
  const pass = compensationPass(run, levels);
  const layout: Layout = {
    keyColumns: Math.max(4, ...run.tasks.map((task) => textWidth(printable(task.key)))),
    levelColumns: Math.max(5, String(levels.length).length),
    now: options.now,
  };

  const head: Line[] = [headerLine(run, options.now)];
  if (run.error) {
    const where = run.error.taskKey === null ? 'run output' : run.error.taskKey;
    head.push([cell('  error: ', 'red'), cell(`${where}: ${run.error.message}`, 'red')]);
  }
  head.push([cell(`  ${summary(run.tasks)}`)]);
  head.push([], columnHeader(layout));

  const rows = levels.flatMap((level) =>
    level.tasks.map((task, i) => taskRow(task, i === 0 ? level : null, layout)),
  );
  const passHead: Line[] = pass.length > 0 ? [[], [cell('  compensation, in reverse order', 'magenta')]] : [];
  const passRows = pass.flatMap((level) =>
    level.tasks.map((task, i) => compensationRow(task, i === 0 ? level : null, layout)),
  );
  const foot: Line[] = options.notice ? [[], [cell(`  ${options.notice}`, 'yellow')]] : [];

  const body = fit(head.length + passHead.length + foot.length, [...rows, ...passRows], options.maxLines);
  const shown = (part: Row[]) => part.filter((row) => row !== OMITTED).flatMap((row) => row.lines);
  const taskLines = shown(body.slice(0, rows.length));
  const passLines = shown(body.slice(rows.length));
  const lines = [...head, ...taskLines, ...(passLines.length > 0 ? passHead : []), ...passLines];
  const omitted = body.filter((row) => row === OMITTED).length;
  if (omitted > 0)
    lines.push([cell(`  … ${omitted} more ${omitted === 1 ? 'row' : 'rows'} not shown`, 'dim')]);
  lines.push(...foot);
  const text = lines.map((line) => finishLine(line, options.width, options.color));
  return (options.maxLines === undefined ? text : text.slice(0, Math.max(1, options.maxLines))).join('\n');
}

interface Layout {
  keyColumns: number;
  levelColumns: number;
  now: number;
}

function headerLine(run: RunJson, now: number): Line {
  const version = run.definition.version === null ? 'inline' : `v${run.definition.version}`;
  const elapsed = span(run.startedAt ?? run.createdAt, run.finishedAt, now);
  return [
    cell('run '),
    cell(run.id, 'bold'),
    cell(`  ${run.definition.name} ${version}  `),
    cell(run.status, RUN_STYLE[run.status] ?? 'bold'),
    cell(elapsed === null ? '' : `  ${formatDuration(elapsed)}`),
  ];
}

function summary(tasks: readonly TaskJson[]): string {
  const counts = new Map<string, number>();
  for (const task of tasks) counts.set(task.status, (counts.get(task.status) ?? 0) + 1);
  const known = SUMMARY_ORDER.filter((status) => counts.has(status));
  const other = [...counts.keys()].filter((status) => !SUMMARY_ORDER.includes(status)).sort();
  const parts = [...known, ...other].map((status) => `${counts.get(status)} ${status.toLowerCase()}`);
  return `${tasks.length} ${tasks.length === 1 ? 'task' : 'tasks'}: ${parts.join(', ')}`;
}

function columnHeader(layout: Layout): Line {
  return [
    cell(
      [
        '  ',
        padEnd('level', layout.levelColumns),
        '  ',
        padEnd('  task', layout.keyColumns + 2),
        '  ',
        padEnd('status', STATUS_COLUMNS),
        '  ',
        'attempt',
        '  ',
        padEnd('time', TIME_COLUMNS),
        '  ',
        'depends on',
      ].join(''),
      'dim',
    ),
  ];
}

function taskRow(task: TaskJson, level: TaskLevel | null, layout: Layout): Row {
  const look = TASK_LOOK[task.status] ?? { symbol: '?' };
  const line: Line = [
    ...levelCells(level, layout),
    cell(look.symbol, look.style),
    cell(' '),
    ...padded(task.key, layout.keyColumns, undefined),
    cell('  '),
    ...padded(task.status, STATUS_COLUMNS, look.style),
    cell('  '),
    ...timing(task.attempts, span(task.startedAt, task.finishedAt, layout.now)),
    cell('  '),
    cell((task.dependsOn ?? []).join(', '), 'dim'),
  ];
  const lines = [line];
  if (task.error && (task.status === 'FAILED' || task.status === 'RETRYING')) {
    lines.push(detail(task.error.message, task.status === 'FAILED' ? 'red' : 'yellow', layout));
  }
  return { lines, salient: SALIENT.has(task.status) };
}

function compensationRow(task: TaskJson, level: TaskLevel | null, layout: Layout): Row {
  const compensation = task.compensation!;
  const style = COMPENSATION_STYLE[compensation.status];
  const line: Line = [
    ...levelCells(level, layout),
    cell('↶', 'magenta'),
    cell(' '),
    ...padded(task.key, layout.keyColumns, undefined),
    cell('  '),
    ...padded(compensation.status, STATUS_COLUMNS, style),
    cell('  '),
    ...timing(compensation.attempts, span(compensation.startedAt, compensation.finishedAt, layout.now)),
  ];
  const lines = [line];
  const { error } = compensation;
  if (error && (compensation.status === 'FAILED' || compensation.status === 'RETRYING')) {
    lines.push(detail(error.message, compensation.status === 'FAILED' ? 'red' : 'yellow', layout));
  }
  const moving = compensation.status !== 'PENDING' && compensation.status !== 'COMPLETED';
  return { lines, salient: moving };
}

function levelCells(level: TaskLevel | null, layout: Layout): Line {
  return [
    cell('  '),
    ...padded(level === null ? '' : String(level.level), layout.levelColumns, 'dim'),
    cell('  '),
  ];
}

function timing(attempts: number, elapsed: number | null): Line {
  return [
    cell(padStart(attempts > 0 ? String(attempts) : '-', ATTEMPT_COLUMNS)),
    cell('  '),
    ...padded(elapsed === null ? '-' : formatDuration(elapsed), TIME_COLUMNS, undefined),
  ];
}

function detail(message: string, style: Style, layout: Layout): Line {
  return [cell(' '.repeat(2 + layout.levelColumns + 2 + 2)), cell(`↳ ${message}`, style)];
}

/** Marks a row left out of a shrunk frame (counted, not drawn). */
const OMITTED: Row = { lines: [], salient: false };

/**
 * The rows a frame of at most `maxLines` lines has room for, `fixed` lines going to the head and
 * foot and one to the "not shown" note: salient rows first, then the others in order, each drawn
 * where it belongs. Left-out rows come back as {@link OMITTED}.
 */
function fit(fixed: number, rows: Row[], maxLines: number | undefined): Row[] {
  const total = rows.reduce((sum, row) => sum + row.lines.length, 0);
  if (maxLines === undefined || fixed + total <= maxLines) return rows;
  let budget = Math.max(0, maxLines - fixed - 1);
  const keep = rows.map(() => false);
  for (const pick of [true, false]) {
    rows.forEach((row, i) => {
      if (keep[i] || row.salient !== pick || row.lines.length > budget) return;
      keep[i] = true;
      budget -= row.lines.length;
    });
  }
  return rows.map((row, i) => (keep[i] ? row : OMITTED));
}
