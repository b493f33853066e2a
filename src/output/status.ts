import type { StatusResult, StatusRow } from '../core/control.js';
import { escapeText } from '../core/escape-text.js';
import { formatRelease } from '../core/release-id.js';

/**
 * What escapeText shows escaped and JSON.stringify leaves raw: DEL, C1 (CSI among them), the
 * bidi controls and the line separators. Text from the control socket comes from whatever
 * listens there: it is shown, never obeyed by the terminal.
 */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escapeInJson = (char: string): string =>
  `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** `status --json`: the reply's result, still JSON, with nothing a terminal would act on. */
export function formatStatusJson(result: StatusResult): string {
  return JSON.stringify(result, null, 2).replace(UNSAFE_IN_JSON, escapeInJson);
}

/** `foreman-ts status`: the release the formation runs, then its processes. */
export function formatStatus(result: StatusResult): string {
  const table = formatStatusTable(result.processes);
  if (result.release === undefined) return table;
  return `release ${escapeText(formatRelease(result.release))}\n${table}`;
}

/** `foreman-ts status` as a table: process, pid, state, uptime, restarts, port, last exit. */
export function formatStatusTable(rows: readonly StatusRow[]): string {
  const header = ['PROCESS', 'PID', 'STATE', 'UPTIME', 'RESTARTS', 'PORT', 'LAST EXIT'];
  const cells = rows.map((row) => [
    escapeText(row.process),
    row.pid === null ? '-' : String(row.pid),
    escapeText(row.state),
    row.uptimeMs === null ? '-' : formatDuration(row.uptimeMs),
    String(row.restarts),
    row.port === 0 ? '-' : String(row.port),
    row.lastExit === null ? '-' : escapeText(row.lastExit),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((cell) => (cell[column] ?? '').length)),
  );
  const line = (cell: readonly string[]): string =>
    cell
      .map((text, column) => (column === cell.length - 1 ? text : text.padEnd(widths[column] ?? 0)))
      .join('  ');
  return [line(header), ...cells.map(line)].join('\n');
}

export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d${String(hours % 24).padStart(2, '0')}h`;
}
