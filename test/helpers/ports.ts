import { readFileSync } from 'node:fs';

/**
 * A base port for one test: every slot a `start` may use (base + 100*type + instance-1, for ten
 * types of ten instances) is free now. Chosen below the kernel's ephemeral range, so outgoing
 * connections of other programs do not take our ports later, and at random, so tests running at
 * the same time (other files, other checkouts on the machine) do not pick the same one.
 *
 * It reads the sockets in use from /proc instead of binding port 0, because a `start` needs a
 * run of slots, not one port, and because `startCli` must know its port synchronously.
 */
export function freeBasePort(): number {
  const low = ephemeralLow() - 1000;
  for (let tries = 0; tries < 200; tries++) {
    const base = 10_000 + Math.floor(Math.random() * (low - 10_000));
    const taken = portsInUse();
    if (slotsOf(base).every((port) => !taken.has(port))) return base;
  }
  throw new Error('no free run of ports found for this test');
}

function slotsOf(base: number): number[] {
  return Array.from({ length: 100 }, (_, n) => base + 100 * Math.floor(n / 10) + (n % 10));
}

function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/);
    return Math.max(12_000, Math.min(Number(low) || 32_768, 32_768));
  } catch {
    return 32_768;
  }
}

/** Local ports of every TCP socket on the machine (any state), from /proc/net/tcp and tcp6. */
function portsInUse(): Set<number> {
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readTable(table).split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      const port = local?.split(':')[1];
      if (port !== undefined) ports.add(parseInt(port, 16));
    }
  }
  return ports;
}

function readTable(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // no IPv6, or no /proc: nothing known to be in use
  }
}
