/**
 * The lab's discard device: a tun interface that no process opens, so whatever is routed into it
 * is dropped without an answer (this kernel has no `dummy` driver). A connect to an address routed
 * there gets no SYN-ACK and no ICMP: the kernel retransmits until the client gives up, exactly as
 * behind a firewall that drops, or towards a private address with no NIC behind it.
 */
import { execFileSync } from 'node:child_process';
import { DROPPED_ADDRESSES } from './addresses.js';

export const DISCARD_DEVICE = 'acrlabdrop';

interface LinkDetails {
  flags?: string[];
  linkinfo?: { info_kind?: string };
}

let problem: string | undefined = 'the namespace was not prepared (prepareNamespace adds the discard device)';

function ip(args: string[]): string {
  return execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/**
 * True when `name` is a tun device that no process holds open (no carrier): nothing can read
 * the packets routed into it, so it cannot carry them anywhere.
 */
export function isUnopenedTun(name: string): boolean {
  try {
    const [link] = JSON.parse(ip(['-details', '-json', 'link', 'show', 'dev', name])) as LinkDetails[];
    return link?.linkinfo?.info_kind === 'tun' && (link.flags ?? []).includes('NO-CARRIER');
  } catch {
    return false;
  }
}

/**
 * Adds the device and routes the dropped addresses into it. Only after the isolation check has
 * passed: it is the one device besides `lo` that the check then accepts. A failure is kept, not
 * thrown, so the scenarios that need dropped packets fail with its reason and the others still run.
 */
export function addDiscardDevice(): void {
  try {
    ip(['tuntap', 'add', 'dev', DISCARD_DEVICE, 'mode', 'tun']);
    ip(['link', 'set', DISCARD_DEVICE, 'up']);
    for (const address of Object.values(DROPPED_ADDRESSES)) ip(['route', 'add', `${address}/32`, 'dev', DISCARD_DEVICE]);
    if (!isUnopenedTun(DISCARD_DEVICE)) throw new Error(`${DISCARD_DEVICE} is not an unopened tun device`);
    problem = undefined;
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    problem = `cannot make the tun device ${DISCARD_DEVICE} that drops SYNs (is /dev/net/tun available?): ${stderr || (err as Error).message}`;
  }
}

/** Throws, with the reason, unless packets to DROPPED_ADDRESSES are really discarded. */
export function assertDiscardReady(): void {
  if (problem) throw new Error(problem);
}
