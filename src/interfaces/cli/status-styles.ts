import type { Style } from './watch/ansi.js';

/**
 * How each status looks in a terminal, the same in `runs watch` frames and in the other commands'
 * tables: a symbol and a colour per task status, a colour per compensation and run status.
 * Statuses this CLI does not know (a newer API) print as plain text.
 */

export const TASK_LOOK: Record<string, { symbol: string; style?: Style }> = {
  PENDING: { symbol: '○', style: 'dim' },
  QUEUED: { symbol: '◌', style: 'cyan' },
  RUNNING: { symbol: '●', style: 'cyan' },
  RETRYING: { symbol: '↻', style: 'yellow' },
  COMPLETED: { symbol: '✓', style: 'green' },
  FAILED: { symbol: '✗', style: 'red' },
  SKIPPED: { symbol: '–', style: 'dim' },
  CANCELLED: { symbol: '⊘', style: 'dim' },
  COMPENSATING: { symbol: '↶', style: 'magenta' },
  COMPENSATED: { symbol: '↶', style: 'magenta' },
  COMPENSATION_FAILED: { symbol: '✗', style: 'red' },
};

export const COMPENSATION_STYLE: Record<string, Style> = {
  PENDING: 'dim',
  QUEUED: 'cyan',
  RUNNING: 'cyan',
  RETRYING: 'yellow',
  COMPLETED: 'green',
  FAILED: 'red',
};

export const RUN_STYLE: Record<string, Style> = {
  PENDING: 'dim',
  RUNNING: 'cyan',
  COMPLETED: 'green',
  COMPENSATING: 'yellow',
  CANCELLING: 'yellow',
  COMPENSATED: 'magenta',
  CANCELLED: 'yellow',
  FAILED: 'red',
  COMPENSATION_FAILED: 'red',
};
