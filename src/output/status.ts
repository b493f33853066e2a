import type { StatusRow } from '../core/control.js';

/** `foreman-ts status` as a table: process, pid, state, uptime, restarts, port, last exit. */
export function formatStatusTable(rows: readonly StatusRow[]): string {
  const header = ['PROCESS', 'PID', 'STATE', 'UPTIME', 'RESTARTS', 'PORT', 'LAST EXIT'];
  const cells = rows.map((row) => [
    row.process,
    row.pid === null ? '-' : String(row.pid),
    row.state,
    row.uptimeMs === null ? '-' : formatDuration(row.uptimeMs),
    String(row.restarts),
    row.port === 0 ? '-' : String(row.port),
    row.lastExit ?? '-',
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
