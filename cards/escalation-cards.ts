/** The escalation's cards: the summary to confirm, and the ticket (created, pending or failed). */
import { verdictKey } from '../src/engine/report/render.js';
import summaryTemplate from './escalation-summary.json' with { type: 'json' };
import ticketTemplate from './ticket.json' with { type: 'json' };
import type { Escalation } from '../src/escalation/escalations.js';
import { redactDeep } from '../src/escalation/redact.js';
import type { SinkKind, Ticket, TicketRequest } from '../src/escalation/ticket.js';
import { isRtl, ownDirection, t } from '../src/engine/i18n/i18n.js';
import type { Lang } from '../src/engine/report/types.js';
import { expand, type Card } from './cards.js';
import { vantageText } from './vantage-texts.js';

interface Fact {
  title: string;
  value: string;
}

/**
 * FactSet values are read as markdown: `facts` hold only our own texts (a severity, a verdict, a
 * validated login server); what a user typed or a report carried (finding and check titles of an
 * uploaded report, names, a description) is in `given` and `description`, shown through TextRuns.
 */
export interface SummaryCardData {
  lang: Lang;
  rtl: boolean;
  key: string;
  title: string;
  intro: string;
  ticketTitle: Fact;
  facts: Fact[];
  given: Fact[];
  descriptionLabel: string;
  description: string;
  labels: { confirm: string; cancel: string };
}

/** What will be sent, for the user to confirm: everything prefilled and everything they gave. */
export function escalationSummaryCard(lang: Lang, asked: TicketRequest, sink: SinkKind): Card {
  // Shown as it will be sent: the card says secrets are removed, so they are removed here too.
  const request = redactDeep(asked);
  const { report, contact } = request;
  const field = (name: string): string => t(lang, `escalation.fields.${name}`);
  const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.title);
  const data: SummaryCardData = {
    lang,
    rtl: isRtl(lang),
    key: request.key,
    title: t(lang, 'escalation.summaryTitle'),
    intro: t(lang, 'escalation.summaryIntro', { sink: t(lang, `escalation.sinks.${sink}`) }),
    ticketTitle: { title: field('title'), value: request.title },
    facts: [
      { title: field('severity'), value: t(lang, `escalation.severities.${request.severity}`) },
      { title: field('registry'), value: report.registry.loginServer },
      { title: field('diagnosis'), value: vantageText(lang, request.vantage, verdictKey(report), { loginServer: report.registry.loginServer }) },
      { title: field('vantage'), value: t(lang, `escalation.vantage.${request.vantage}`) },
    ],
    given: [
      ...(request.subscriptionId ? [{ title: field('subscription'), value: request.subscriptionId }] : []),
      { title: field('findings'), value: report.findings.map((f) => f.title).join('; ') || t(lang, 'escalation.none') },
      { title: field('failedChecks'), value: failed.join('; ') || t(lang, 'escalation.none') },
      { title: field('contact'), value: `${ownDirection(lang, `${contact.firstName} ${contact.lastName} <${contact.email}>`)}, ${t(lang, `escalation.methods.${contact.method}`)}${contact.phone ? ` ${ownDirection(lang, contact.phone)}` : ''}` },
    ],
    descriptionLabel: field('description'),
    description: request.description,
    labels: { confirm: t(lang, 'escalation.confirm'), cancel: t(lang, 'escalation.cancel') },
  };
  return expand(summaryTemplate, data);
}

export interface TicketCardData {
  lang: Lang;
  rtl: boolean;
  headline: string;
  style: string;
  detail: string;
  /** What the sink answered (ticket id, status) and the ticket's title: shown through TextRuns. */
  given: Fact[];
  /** Our own texts only. */
  facts: Fact[];
  url: string;
  labels: { open: string };
}

const STYLE: Record<Escalation['state'], string> = { created: 'good', pending: 'warning', failed: 'attention' };

/** Where an escalation stands: the ticket's id, link and status, or why there is none (yet); the headline may quote the sink's error, so it is a TextRun. */
export function ticketCard(lang: Lang, escalation: Escalation, detail = ''): Card {
  const { ticket, request } = escalation;
  return ticketStateCard(lang, { state: escalation.state, sink: escalation.sink, loginServer: request.report.registry.loginServer, title: request.title, ...(ticket ? { ticket } : {}), ...(escalation.lastError ? { lastError: escalation.lastError } : {}) }, detail);
}

/** A ticket the sink knows for this diagnosis, though this instance's outbox does not (another instance filed it). */
export function foundTicketCard(lang: Lang, ticket: Ticket, loginServer: string, detail = ''): Card {
  return ticketStateCard(lang, { state: 'created', sink: ticket.sink, loginServer, ticket }, detail);
}

interface TicketState {
  state: Escalation['state'];
  sink: SinkKind;
  loginServer: string;
  title?: string;
  ticket?: Ticket;
  lastError?: string;
}

function ticketStateCard(lang: Lang, escalation: TicketState, detail: string): Card {
  const { ticket } = escalation;
  const sink = t(lang, `escalation.sinks.${escalation.sink}`);
  const field = (name: string): string => t(lang, `escalation.fields.${name}`);
  const headline =
    escalation.state === 'created'
      ? t(lang, 'escalation.created', { id: ticket?.id ?? '' })
      : escalation.state === 'pending'
        ? t(lang, 'escalation.pending', { sink })
        : t(lang, 'escalation.failed', { reason: escalation.lastError ?? '' });
  const data: TicketCardData = {
    lang,
    rtl: isRtl(lang),
    headline,
    style: STYLE[escalation.state],
    detail,
    given: [
      ...(ticket ? [{ title: field('ticket'), value: ticket.id }] : []),
      { title: field('status'), value: ticket?.status ?? t(lang, `escalation.states.${escalation.state}`) },
      ...(escalation.title ? [{ title: field('title'), value: escalation.title }] : []),
    ],
    facts: [
      { title: field('sink'), value: sink },
      { title: field('registry'), value: escalation.loginServer },
    ],
    url: ticket?.url ?? '',
    labels: { open: t(lang, 'escalation.open') },
  };
  return expand(ticketTemplate, data);
}
