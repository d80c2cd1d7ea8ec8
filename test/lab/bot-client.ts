/** Talking to the real bot over HTTP as the Bot Framework connector would, and reading its replies. */
import { request } from 'undici';
import type { Sent } from './connector-stub.js';

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
