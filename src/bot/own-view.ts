/**
 * Cards in a conversation others read. What Azure showed one user with their own rights (single
 * sign-on) is theirs: in a Teams channel or group chat the card everyone sees is made from the
 * network checks alone, and Teams' user-specific view (an Adaptive Card `refresh` naming that user)
 * has Teams ask the bot for the card again when they look at it; the bot answers each viewer with
 * what their own rights allow. A client that does not refresh shows everyone the shared card.
 */
import type { ConversationAccount } from 'botbuilder';
import type { Diagnosis } from '../escalation/diagnosis.js';
import { t } from '../engine/i18n/i18n.js';
import { clientView, isArmCheck, withoutArm, type ClientView } from '../engine/report/vantages.js';
import type { ProgressSnapshot } from '../engine/probes/evidence.js';
import type { Report } from '../engine/report/types.js';
import type { CliDownload } from '../handover/run-commands.js';
import { resultCard, type Card } from '../../cards/cards.js';
import { clientReportCard } from '../../cards/handover-cards.js';

/** The Action.Execute verb of the refresh: "this card as I may see it". */
export const OWN_VIEW_VERB = 'acr.ownView';

/** Which card the refresh re-makes: the bot's diagnosis, or a client's report beside it. */
export interface OwnView {
  /** The bot's diagnosis (its report's id). */
  diagnosis: string;
  /** A client report posted beside it (the id the bot gave the upload). */
  client?: string;
}

/** Who looks at a card: their Entra object id, and their id in the channel (Teams' 29:… id). */
export interface Viewer {
  objectId?: string;
  id?: string;
}

/** A Teams channel or group chat (any conversation the channel marks as a group): more readers than the asker. */
export function sharedConversation(conversation: Partial<ConversationAccount> | undefined): boolean {
  return conversation?.isGroup === true || conversation?.conversationType === 'channel' || conversation?.conversationType === 'groupChat';
}

/** A run's progress without its Azure checks and the data endpoints Azure named: for a card others read. */
export function withoutArmProgress(progress: ProgressSnapshot): ProgressSnapshot {
  const shown = (c: { id: string; kind: string }): boolean => !isArmCheck(c.id) && c.kind !== 'data';
  return { planned: progress.planned.filter(shown), running: progress.running.filter(shown), done: progress.done.filter(shown) };
}

/** The diagnosis was read with one person's Azure rights and others read the conversation. */
function privateIn(diagnosis: Diagnosis | undefined, conversation: Partial<ConversationAccount> | undefined): diagnosis is Diagnosis & { readBy: string } {
  return diagnosis?.readBy !== undefined && sharedConversation(conversation);
}

/** Who a card is made for: a viewer refreshing it, or `'post'`, the card posted into the conversation. */
export type Audience = Viewer | 'post';

/** The post of a shared conversation is everyone's; elsewhere only the reader reads the conversation. */
function viewerOf(diagnosis: Diagnosis | undefined, conversation: Partial<ConversationAccount> | undefined, audience: Audience): Viewer | undefined {
  if (audience !== 'post') return audience;
  return diagnosis?.readBy && !sharedConversation(conversation) ? { objectId: diagnosis.readBy } : undefined;
}

const isReader = (diagnosis: Diagnosis, viewer: Viewer | undefined): boolean => viewer?.objectId !== undefined && viewer.objectId === diagnosis.readBy;

/** The report as `viewer` may see it: without what Azure showed another person (no viewer: everyone). */
export function reportFor(diagnosis: Diagnosis, viewer: Viewer | undefined): Report {
  return !diagnosis.readBy || isReader(diagnosis, viewer) ? diagnosis.report : withoutArm(diagnosis.report, diagnosis.report.lang);
}

/**
 * `card` (of the report `about`) as a shared conversation shows a diagnosis one person read: a line saying whose rights its
 * Azure part was read with (in a TextRun: the registry's name is never read as markdown), and Teams'
 * refresh, so that when the reader views it Teams invokes the bot for it again (others may refresh it
 * by hand). Elsewhere the card as it is.
 */
function asOwnView(card: Card, about: Pick<Report, 'lang' | 'registry'>, diagnosis: Diagnosis | undefined, conversation: Partial<ConversationAccount> | undefined, mine: boolean, view: OwnView): Card {
  if (!privateIn(diagnosis, conversation)) return card;
  const { lang, registry } = about;
  const text = t(lang, mine ? 'card.ownViewMine' : 'card.ownViewOthers', { loginServer: registry.loginServer });
  const note = { type: 'RichTextBlock', spacing: 'Small', inlines: [{ type: 'TextRun', text, isSubtle: true, size: 'Small' }] };
  const body = Array.isArray(card.body) ? (card.body as unknown[]) : [];
  const noted: Card = { ...card, body: [...body.slice(0, 1), note, ...body.slice(1)] };
  if (!diagnosis.readerId) return noted;
  return { ...noted, refresh: { action: { type: 'Action.Execute', verb: OWN_VIEW_VERB, data: { ...view } }, userIds: [diagnosis.readerId] } };
}

/**
 * A bot diagnosis' result card for `audience` in `conversation`. Read with one person's rights in a
 * shared conversation: the reader's view for them, the network checks' for anyone else and for the
 * post itself, each with the refresh that re-makes it per viewer.
 */
export function resultCardFor(diagnosis: Diagnosis, conversation: Partial<ConversationAccount> | undefined, download: CliDownload, audience: Audience): Card {
  const viewer = viewerOf(diagnosis, conversation, audience);
  const mine = isReader(diagnosis, viewer);
  return asOwnView(resultCard(reportFor(diagnosis, viewer), 'bot', download, mine), diagnosis.report, diagnosis, conversation, mine, { diagnosis: diagnosis.report.id });
}

/** The client's report set beside the bot's diagnosis as `audience` may see that diagnosis. */
export function clientViewFor(client: Report, bot: Diagnosis | undefined, conversation: Partial<ConversationAccount> | undefined, audience: Audience): ClientView {
  return clientView(client, client.lang, bot && reportFor(bot, viewerOf(bot, conversation, audience)));
}

/**
 * A client report's card for `audience`: compared with the bot's diagnosis as they may see it, with the
 * same refresh as the result card when that diagnosis is one person's in a shared conversation.
 */
export function clientCardFor(client: Report, bot: Diagnosis | undefined, conversation: Partial<ConversationAccount> | undefined, audience: Audience): Card {
  const viewer = viewerOf(bot, conversation, audience);
  const view = clientViewFor(client, bot, conversation, audience);
  const card = clientReportCard(client.lang, client, view, bot !== undefined);
  return bot ? asOwnView(card, client, bot, conversation, isReader(bot, viewer), { diagnosis: bot.report.id, client: client.id }) : card;
}

const ID = /^[\w.:-]{1,100}$/;

/** An `adaptiveCard/action` invoke's value when it asks for an own view; undefined for anything else. */
export function parseOwnView(value: unknown): OwnView | undefined {
  const action = (value as { action?: unknown } | undefined)?.action;
  if (!action || typeof action !== 'object') return undefined;
  const { verb, data } = action as { verb?: unknown; data?: unknown };
  if (verb !== OWN_VIEW_VERB || !data || typeof data !== 'object') return undefined;
  const { diagnosis, client } = data as { diagnosis?: unknown; client?: unknown };
  if (typeof diagnosis !== 'string' || !ID.test(diagnosis)) return undefined;
  if (client !== undefined && (typeof client !== 'string' || !ID.test(client))) return undefined;
  return { diagnosis, ...(client !== undefined ? { client } : {}) };
}
