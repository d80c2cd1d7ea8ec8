/**
 * The ticket as text a support engineer reads first: what the user said, then the diagnosis in a
 * few lines (verdict, findings with their fixes, the checks that failed, where they ran). English,
 * whatever the user's language; the report's own texts are quoted as they were shown.
 */
import type { TicketRequest } from './ticket.js';

const VANTAGE: Record<TicketRequest['vantage'], string> = {
  bot: "The checks ran from the bot's own network, not from the failing client: they show what the registry answers, not what the client's network lets through.",
  client: 'The checks ran on the failing client itself (acr-check).',
};

export function ticketText(request: TicketRequest): string {
  const { report, contact } = request;
  const lines = [
    request.description.trim(),
    '',
    `--- Diagnosis ${report.id} by ${report.tool.name} ${report.tool.version}, ${report.startedAt} (${report.durationMs} ms)`,
    `Registry: ${report.registry.loginServer}${report.registry.resourceId ?? report.facts.resourceId ? ` (${report.registry.resourceId ?? report.facts.resourceId})` : ''}`,
    ...(request.subscriptionId ? [`Subscription: ${request.subscriptionId}`] : []),
    `Symptoms: ${report.symptoms.length ? report.symptoms.join(', ') : 'not given'}; client: ${report.client.kind ?? 'not given'}`,
    `Verdict: ${report.verdict}`,
    VANTAGE[request.vantage],
    '',
    ...(report.findings.length ? ['Findings:'] : ['No known cause matched.']),
    ...report.findings.flatMap((f, i) => [
      `${i + 1}. [${f.cause}, ${f.confidence}] ${f.title}`,
      `   ${f.explanation}`,
      `   Evidence: ${f.evidence.join(', ')}`,
      ...f.fixes.flatMap((fix) => [`   Fix: ${fix.title}`, ...fix.commands.map((c) => `     $ ${c}`)]),
    ]),
    '',
    'Checks that did not pass:',
    ...report.checks.filter((c) => c.status !== 'pass').map((c) => `- ${c.status.toUpperCase()} ${c.title}: ${c.detail}`),
    '',
    `Contact: ${contact.firstName} ${contact.lastName} <${contact.email}>, by ${contact.method}${contact.phone ? ` (${contact.phone})` : ''}`,
    `Conversation: ${request.conversation.url ?? `${request.conversation.channelId} ${request.conversation.conversationId}`}`,
  ];
  return lines.join('\n');
}

/** The report as JSON in parts of at most `size` characters, for systems that cap a message's length. */
export function reportParts(request: TicketRequest, size: number): string[] {
  const json = JSON.stringify(request.report);
  const parts: string[] = [];
  for (let at = 0; at < json.length; at += size) parts.push(json.slice(at, at + size));
  return parts;
}
