// The release phase: create or upgrade the store, step by step, and say what it did.
import { SCHEMA, DB, load, save } from './store.mjs';

const MIGRATIONS = {
  1: () => ({ schema: 1, visits: 0 }),
  2: (data) => ({ ...data, schema: 2, greeting: process.env.GREETING ?? 'hello' }),
};

let data = load();
let version = data?.schema ?? 0;
if (version === SCHEMA) console.log(`${DB} is at schema ${SCHEMA}: nothing to migrate`);
while (version < SCHEMA) {
  version += 1;
  data = MIGRATIONS[version](data);
  console.log(`migrated ${DB} to schema ${version}`);
}
save({ ...data, releasedAt: new Date().toISOString() });
