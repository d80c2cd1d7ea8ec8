/** The Debian packages the lab and the benchmarks need, installed when missing (as root) or named. */
import { execFileSync, spawnSync } from 'node:child_process';

export interface Dependency {
  command: string;
  pkg: string;
}

export const LAB_DEPENDENCIES: Dependency[] = [
  { command: 'unshare', pkg: 'util-linux' },
  { command: 'ip', pkg: 'iproute2' },
  { command: 'script', pkg: 'bsdutils' },
  { command: 'chromium', pkg: 'chromium' },
  { command: 'openssl', pkg: 'openssl' },
  { command: 'docker-registry', pkg: 'docker-registry' },
  { command: 'squid', pkg: 'squid' },
  { command: 'unzip', pkg: 'unzip' },
];

export const BENCH_DEPENDENCIES: Dependency[] = [
  ...LAB_DEPENDENCIES,
  { command: 'az', pkg: 'azure-cli' },
  { command: '/usr/bin/time', pkg: 'time' },
];

function present(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Installs what is missing with apt-get when root; otherwise throws with the exact command to run. */
export function ensureDependencies(deps: Dependency[]): void {
  const missing = [...new Set(deps.filter((d) => !present(d.command)).map((d) => d.pkg))];
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages; install them with: sudo apt-get install -y ${missing.join(' ')}`);
  }
  process.stderr.write(`lab: installing Debian packages: ${missing.join(' ')}\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env });
}
