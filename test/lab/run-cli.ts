/**
 * Runs the real acr-check process inside the lab, with its own view of /etc/hosts and
 * /etc/resolv.conf (a private mount namespace per run), and only the environment we give it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB_ADDRESSES } from './addresses.js';
import { ARM_HOST } from './fake-arm.js';
import { LOG_ANALYTICS_HOST } from './fake-log-analytics.js';

/** The CLI as users get it: the bundled `bin` of the package. */
export const CLI = process.env.ACR_CHECK_CLI ?? fileURLToPath(new URL('../../bin/acr-check.mjs', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  wallMs: number;
}

export interface CliWorld {
  caPath: string;
  hosts?: string[];
  nameserver?: string;
  env?: Record<string, string>;
}

const MOUNT_AND_EXEC = 'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf && shift 2 && exec "$@"';

/** Files for /etc/hosts and /etc/resolv.conf as this run should see them. */
export function systemFiles(world: CliWorld): { hosts: string; resolv: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'acr-lab-run-'));
  const hosts = path.join(dir, 'hosts');
  const resolv = path.join(dir, 'resolv.conf');
  writeFileSync(hosts, ['127.0.0.1 localhost', '::1 localhost', ...(world.hosts ?? []), ''].join('\n'));
  writeFileSync(resolv, `nameserver ${world.nameserver ?? LAB_ADDRESSES.dns}\n`);
  return { hosts, resolv };
}

export function labEnv(world: CliWorld): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    NODE_EXTRA_CA_CERTS: world.caPath,
    // The lab's Azure: its ARM endpoint, and only the identities a production host has (no developer sign-ins).
    ARM_ENDPOINT: `https://${ARM_HOST}`,
    AZURE_TOKEN_CREDENTIALS: 'prod',
    LOG_ANALYTICS_ENDPOINT: `https://${LOG_ANALYTICS_HOST}`,
    ...(world.env ?? {}),
  };
}

/** Wraps a command so it runs with this world's hosts file and resolver. */
export function inWorld(world: CliWorld, command: string[]): string[] {
  const files = systemFiles(world);
  return ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', MOUNT_AND_EXEC, 'lab', files.hosts, files.resolv, ...command];
}

export function runCli(args: string[], world: CliWorld): Promise<CliRun> {
  return runInWorld(world, [process.execPath, CLI, ...args]);
}

/** Runs any command in this world, without blocking the lab's servers in this process. */
export function runInWorld(world: CliWorld, commandLine: string[]): Promise<CliRun> {
  const [command, ...rest] = inWorld(world, commandLine);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command!, rest, { env: labEnv(world), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, wallMs: performance.now() - started }));
  });
}

/** Starts a long-running process (the bot) in this world; the caller stops it. */
export function spawnInWorld(world: CliWorld, commandLine: string[], env: Record<string, string> = {}): ChildProcess {
  const [command, ...rest] = inWorld(world, commandLine);
  return spawn(command!, rest, { env: { ...labEnv(world), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}
