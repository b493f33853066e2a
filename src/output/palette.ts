/**
 * One colour per process type, by Procfile position, and the policy that decides whether to
 * colour at all. Raw SGR codes: a library buys nothing for a dozen fixed codes, and our policy
 * (flag > NO_COLOR > FORCE_COLOR > TTY and TERM) is the documented one (docs/start.md).
 */
const PALETTE = ['36', '33', '32', '35', '34', '31', '96', '93', '92', '95', '94', '91'] as const;
export const RESET = '\u001b[0m';
export const SYSTEM_COLOR = '\u001b[2m';

export function colorOf(slot: number): string {
  return `\u001b[${PALETTE[slot % PALETTE.length] ?? '36'}m`;
}

export function isColorWanted({
  flag,
  env,
  isTty,
}: {
  flag: boolean | undefined;
  env: Readonly<Record<string, string | undefined>>;
  isTty: boolean;
}): boolean {
  if (flag !== undefined) return flag;
  if ((env.NO_COLOR ?? '') !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return isTty && env.TERM !== 'dumb';
}
