// Small numeric and formatting helpers for the tables.

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function max(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  return finite.length === 0 ? undefined : Math.max(...finite);
}

export function min(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  return finite.length === 0 ? undefined : Math.min(...finite);
}

export const MiB = 1024 * 1024;

export function fmt(value, digits = 2, suffix = '') {
  return value === undefined || !Number.isFinite(value)
    ? 'n/a'
    : `${value.toFixed(digits)}${suffix}`;
}

export function ratio(a, b) {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}

export const mib = (bytes) => (bytes === undefined ? 'n/a' : `${(bytes / MiB).toFixed(1)} MiB`);
export const ms = (value) => fmt(value, 0, ' ms');
export const seconds = (valueMs) =>
  valueMs === undefined ? 'n/a' : `${(valueMs / 1000).toFixed(2)} s`;
export const times = (value) => fmt(value, 2, '×');
