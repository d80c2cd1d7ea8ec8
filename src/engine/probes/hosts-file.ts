/** Reads the hosts file, so an override of the registry's name can be named as such. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export function hostsFilePath(): string {
  if (process.platform === 'win32') {
    return path.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'drivers', 'etc', 'hosts');
  }
  return '/etc/hosts';
}

export interface HostsEntry {
  address: string;
  line: number;
}

export function findHostsEntries(text: string, host: string): HostsEntry[] {
  const wanted = host.toLowerCase();
  const entries: HostsEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const [address, ...names] = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (address && names.some((name) => name.toLowerCase() === wanted)) entries.push({ address, line: index + 1 });
  });
  return entries;
}

export async function readHostsEntries(host: string, file = hostsFilePath()): Promise<HostsEntry[]> {
  try {
    return findHostsEntries(await readFile(file, 'utf8'), host);
  } catch {
    return [];
  }
}
