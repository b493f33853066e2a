import { createRequire } from 'node:module';

/** Whether the optional @lydell/node-pty loads here (`tty: true` needs it). */
export const hasPty = (() => {
  try {
    createRequire(import.meta.url)('@lydell/node-pty');
    return true;
  } catch {
    return false;
  }
})();

/** A tap `skip` reason when @lydell/node-pty does not load, else false. */
export const skipWithoutPty = hasPty ? false : 'the optional @lydell/node-pty is not installed';
