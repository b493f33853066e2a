// A worker process: a tick every two seconds, with what the web process has counted.
import { load } from './store.mjs';

let ticks = 0;
setInterval(() => {
  ticks += 1;
  console.log(`tick ${ticks}: ${load()?.visits ?? 0} visits so far`);
}, 2000);
process.on('SIGTERM', () => {
  console.log(`stopping after ${ticks} ticks`);
  process.exit(0);
});
