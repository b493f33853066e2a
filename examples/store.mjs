// The example app's "database": one JSON file under .data/, migrated by the release phase.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const DB = join(process.env.DATA_DIR ?? '.data', 'app.json');
export const SCHEMA = 2;

export function load() {
  try {
    return JSON.parse(readFileSync(DB, 'utf8'));
  } catch {
    return undefined;
  }
}

export function save(data) {
  mkdirSync(dirname(DB), { recursive: true });
  writeFileSync(`${DB}.tmp`, JSON.stringify(data, null, 2));
  renameSync(`${DB}.tmp`, DB);
}
