/**
 * The system resolver as every ordinary client uses it (getaddrinfo: hosts file, then DNS).
 * Where glibc's `getent` exists it runs in a child process that the deadline can kill: a
 * getaddrinfo stuck in Node's thread pool would hold the process for the resolver's full
 * timeout (10 s by default) even after the report is out, because exit waits for that pool.
 */
import { execFile } from 'node:child_process';
import { promises as dnsPromises } from 'node:dns';
import { existsSync } from 'node:fs';
import { raceSignal, timeoutError } from '../net/deadlines.js';

const GETENT = ['/usr/bin/getent', '/bin/getent'].find((candidate) => existsSync(candidate));

export class LookupError extends Error {
  constructor(
    readonly code: 'ENOTFOUND' | 'EAI_AGAIN' | 'ERROR',
    message: string,
  ) {
    super(message);
    this.name = 'LookupError';
  }
}

/** Addresses in the order getaddrinfo gives them, without duplicates. */
export function parseGetentAhosts(output: string): string[] {
  const seen = new Set<string>();
  for (const line of output.split('\n')) {
    const address = line.trim().split(/\s+/)[0];
    if (address) seen.add(address);
  }
  return [...seen];
}

export async function systemLookup(host: string, signal: AbortSignal): Promise<string[]> {
  if (!GETENT) {
    const found = await raceSignal(dnsPromises.lookup(host, { all: true, verbatim: true }), signal);
    return found.map((f) => f.address);
  }
  return new Promise((resolve, reject) => {
    execFile(GETENT, ['ahosts', host], { signal, timeout: 0, env: { PATH: '/usr/bin:/bin' } }, (err, stdout) => {
      if (signal.aborted) return reject(timeoutError());
      if (!err) return resolve(parseGetentAhosts(stdout));
      const code: unknown = (err as { code?: unknown }).code;
      // getent exits 2 when getaddrinfo finds nothing (NXDOMAIN, no data, or a resolver failure).
      if (code === 2) return reject(new LookupError('ENOTFOUND', `getaddrinfo found no address for ${host}`));
      reject(new LookupError('ERROR', err.message));
    });
  });
}
