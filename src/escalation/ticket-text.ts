/**
 * The ticket as text a support engineer reads first: what the user said, then the diagnosis in a
 * few lines (verdict, findings with their fixes, the checks that failed, where they ran). In
 * English by default, for support engineers; the report's own texts are quoted as they were shown.
 */
import { t } from '../engine/i18n/i18n.js';
import type { Lang } from '../engine/report/types.js';
import type { TicketRequest } from './ticket.js';

export function ticketText(request: TicketRequest, lang: Lang = 'en'): string {
  const { report, contact } = request;
  const resourceId = report.registry.resourceId ?? report.facts.resourceId;
  const lines = [
    request.description.trim(),
    '',
    t(lang, 'ticket.diagnosis', { id: report.id, tool: report.tool.name, version: report.tool.version, startedAt: report.startedAt, durationMs: String(report.durationMs) }),
    t(lang, 'ticket.registry', { registry: resourceId ? `${report.registry.loginServer} (${resourceId})` : report.registry.loginServer }),
    ...(request.subscriptionId ? [t(lang, 'ticket.subscription', { subscription: request.subscriptionId })] : []),
    t(lang, 'ticket.context', { symptoms: report.symptoms.join(', ') || t(lang, 'ticket.notGiven'), client: report.client.kind ?? t(lang, 'ticket.notGiven') }),
    t(lang, 'ticket.verdict', { verdict: report.verdict }),
    t(lang, request.vantage === 'bot' ? 'ticket.vantageBot' : 'ticket.vantageClient'),
    '',
    t(lang, report.findings.length ? 'ticket.findings' : 'ticket.noFindings'),
    ...report.findings.flatMap((f, i) => [
      `${i + 1}. [${f.cause}, ${f.confidence}] ${f.title}`,
      `   ${f.explanation}`,
      `   ${t(lang, 'ticket.evidence', { ids: f.evidence.join(', ') })}`,
      ...f.fixes.flatMap((fix) => [`   ${t(lang, 'ticket.fix', { title: fix.title })}`, ...fix.commands.map((c) => `     $ ${c}`)]),
    ]),
    '',
    t(lang, 'ticket.notPassed'),
    ...report.checks.filter((c) => c.status !== 'pass').map((c) => `- ${c.status.toUpperCase()} ${c.title}: ${c.detail}`),
    '',
    t(lang, 'ticket.contact', { name: `${contact.firstName} ${contact.lastName}`, email: contact.email, method: contact.method, phone: contact.phone ? ` (${contact.phone})` : '' }),
    t(lang, 'ticket.conversation', { conversation: request.conversation.url ?? `${request.conversation.channelId} ${request.conversation.conversationId}` }),
  ];
  return lines.join('\n');
}
