/**
 * The lab's safety check: lab traffic may use non-loopback addresses only inside a network
 * namespace whose only interface is `lo` and which has no default route. The one other device
 * accepted is the lab's own discard device, added after this check first passed: a tun that no
 * process opens, so nothing routed into it can go anywhere.
 */
import { readFileSync } from 'node:fs';
import { DISCARD_DEVICE, isUnopenedTun } from './discard-device.js';

export function isolationProblem(): string | undefined {
  // /proc/net follows this process's network namespace (/sys/class/net would show the mounter's).
  const interfaces = readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]!.trim())
    .filter(Boolean);
  const others = interfaces.filter((name) => name !== 'lo' && !(name === DISCARD_DEVICE && isUnopenedTun(name)));
  if (others.length > 0) return `network interfaces other than lo exist: ${others.join(', ')}`;
  const routes = readFileSync('/proc/net/route', 'utf8').split('\n').slice(1).filter(Boolean);
  if (routes.some((line) => line.split(/\s+/)[1] === '00000000')) return 'an IPv4 default route exists';
  return undefined;
}

/** Throws unless this process runs inside an isolated namespace; never falls back to the host network. */
export function assertIsolated(): void {
  const problem = isolationProblem();
  if (problem) throw new Error(`refusing to run lab tests outside an isolated network namespace: ${problem}`);
}
