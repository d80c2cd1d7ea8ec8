/** Where a conversation is, for a support engineer: its ids, and a link into Teams when it is one. */
import type { Activity } from 'botbuilder';
import type { ConversationLink } from '../src/escalation/ticket.js';

export function conversationLink(activity: Partial<Activity>): ConversationLink {
  const conversationId = activity.conversation?.id ?? '';
  const tenantId = activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
  const link: ConversationLink = { channelId: activity.channelId ?? '', conversationId, ...(tenantId ? { tenantId } : {}) };
  if (activity.channelId !== 'msteams' || !conversationId) return link;
  const tenant = tenantId ? `?tenantId=${encodeURIComponent(tenantId)}` : '';
  // A channel thread is "<channel>;messageid=<root>"; a chat is its thread id.
  const [thread, root] = conversationId.split(';messageid=');
  const url = root ? `https://teams.microsoft.com/l/message/${encodeURIComponent(thread!)}/${encodeURIComponent(root)}${tenant}` : `https://teams.microsoft.com/l/chat/${encodeURIComponent(conversationId)}/conversations${tenant}`;
  return { ...link, url };
}
