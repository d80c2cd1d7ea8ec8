/**
 * `npm run playground`: the bot and the Microsoft 365 Agents Playground on localhost, to try the bot
 * as a user would. The playground opens a browser with xdg-open; on a machine without one (a server,
 * CI) a stand-in prints the address instead of crashing it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PLAYGROUND_PORT = 56150;
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** PATH with a stand-in `xdg-open` when the system has none. */
export function pathWithBrowserOpener(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.PATH ?? '/usr/bin:/bin';
  if (spawnSync('sh', ['-c', 'command -v xdg-open'], { env: { PATH: base } }).status === 0) return base;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'acr-playground-'));
  writeFileSync(path.join(dir, 'xdg-open'), '#!/bin/sh\necho "open $1 in a browser"\n');
  chmodSync(path.join(dir, 'xdg-open'), 0o755);
  return `${dir}:${base}`;
}

export function startPlayground(botUrl: string, env: Record<string, string> = {}): ChildProcess {
  const cli = path.join(root, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
  return spawn(process.execPath, [cli, 'start', '--app-endpoint', `${botUrl}/api/messages`, '--channel-id', 'msteams', '--port', String(PLAYGROUND_PORT), '--disable-telemetry'], {
    cwd: mkdtempSync(path.join(os.tmpdir(), 'acr-playground-home-')),
    env: { ...process.env, ...env, PATH: pathWithBrowserOpener() },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bot = spawn(process.execPath, [path.join(root, 'dist', 'src', 'start.js')], { stdio: 'inherit' });
  const playground = startPlayground('http://127.0.0.1:3978');
  process.stdout.write(`Agents Playground: http://localhost:${PLAYGROUND_PORT} (the bot: http://127.0.0.1:3978/api/messages)\n`);
  const stop = (): void => {
    bot.kill('SIGTERM');
    playground.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
