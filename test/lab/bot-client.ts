/** Talking to the real bot over HTTP as the Bot Framework connector would, and reading its replies. */
import type { ChildProcess } from 'node:child_process';
import { request } from 'undici';
import { waitForPort } from './oci-registry.js';
import { spawnInWorld } from './run-cli.js';
import type { Sent } from './connector-stub.js';

/** The bot's entry, as App Service starts it. */
const START = new URL('../../src/start.js', import.meta.url).pathname;

let activityCount = 0;

export function activity(conversation: string, fields: Record<string, unknown>, serviceUrl: string): Record<string, unknown> {
  return {
    type: 'message',
    id: `activity-${++activityCount}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from: { id: 'user-1', name: 'Platform Engineer' },
    recipient: { id: 'bot-1', name: 'acr-doctor' },
    conversation: { id: conversation },
    locale: 'en-US',
    ...fields,
  };
}

export const cardOf = (s: Sent): Record<string, unknown> | undefined => s.activity.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
export const cardText = (card: unknown): string => JSON.stringify(card);
/** What a reply says, text or card. */
export const said = (s: Sent): string => s.activity.text ?? cardText(cardOf(s));

/** POSTs an activity (or raw text) to a bot's /api/messages; the HTTP status. */
export async function postTo(port: number, body: unknown): Promise<number> {
  const res = await request(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  await res.body.dump();
  return res.statusCode;
}

/** A bot process of the lab: its child process, its port and what it has logged so far. */
export interface LabBot {
  child: ChildProcess;
  port: number;
  log: () => string;
}

/** The real bot (`node dist/src/start.js`), started in the lab's world with `env`, once it listens; its log kept. */
export async function startLabBot(caPath: string, port: number, env: Record<string, string> = {}): Promise<LabBot> {
  const child = spawnInWorld({ caPath }, [process.execPath, START], { PORT: String(port), ...env });
  let log = '';
  child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  await waitForPort(port, '127.0.0.1', 15_000).catch((err: unknown) => {
    child.kill('SIGTERM');
    throw new Error(`the bot did not listen on ${port}: ${String(err)}\n${log.slice(-4000)}`);
  });
  return { child, port, log: () => log };
}
