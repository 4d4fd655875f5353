/**
 * Loopback ports for programs started by number (httpd, `wslab proxy`, backends a harness starts
 * and stops): whether something answers on a port, and a port to hand out that will still be free
 * when the program binds it. Shared by the benchmarks and the test harnesses.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** True when something accepts a TCP connection on 127.0.0.1:port within half a second. */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when 127.0.0.1:port can be bound right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const PORT_FLOOR = 10_000;

/** The first port of the kernel's ephemeral range (Linux), else the IANA dynamic range. */
function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && low > PORT_FLOOR + 1_000) return low;
  } catch {
    // Not Linux: fall back to the IANA dynamic range.
  }
  return 49_152;
}

const PORT_SPAN = Math.max(1_000, ephemeralRangeStart() - PORT_FLOOR);
// Parallel processes start at different places so they rarely probe the same ports.
let nextPortOffset = (process.pid * 7_919) % PORT_SPAN;

/**
 * A port free right now on 127.0.0.1, below the kernel's ephemeral range, each handed out once per
 * process. Anything listening on port 0, and every outgoing connection, takes ports from the
 * ephemeral range; a free port found there and handed to a child by number could be taken before
 * the child binds it (the idle benchmark alone opens 2,000 connections).
 */
export async function allocateListenPort(): Promise<number> {
  for (let attempts = 0; attempts < PORT_SPAN; attempts++) {
    const candidate = PORT_FLOOR + (nextPortOffset++ % PORT_SPAN);
    if (await portIsFree(candidate)) return candidate;
  }
  throw new Error(`no free port between ${PORT_FLOOR} and ${PORT_FLOOR + PORT_SPAN}`);
}
