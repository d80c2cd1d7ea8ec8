/** Reads the hosts file, so an override of the registry's name can be named as such. */
import { readFile } from 'node:fs/promises';
import { knowledge } from '../knowledge/knowledge.js';

/** The hosts file of the machine the probe runs on (the same paths the rules name in their fixes). */
export function hostsFilePath(): string {
  return process.platform === 'win32' ? knowledge.hostsFiles.win32 : knowledge.hostsFiles.other;
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
