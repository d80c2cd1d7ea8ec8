/** A ticket request for tests: a real report (denied by the network rules) and a contact. */
import { DENIED_EVIDENCE, sampleReport } from './sample-report.js';
import { ticketKey, type TicketRequest } from '../../src/escalation/ticket.js';

export function sampleTicketRequest(overrides: Partial<TicketRequest> = {}): TicketRequest {
  const report = sampleReport(DENIED_EVIDENCE);
  return {
    key: ticketKey(report),
    title: 'myregistry.azurecr.io: pulls fail from AKS',
    severity: 'moderate',
    description: 'Pulls fail since this morning.',
    contact: { firstName: 'Platform', lastName: 'Engineer', email: 'pe@contoso.com', method: 'email' },
    lang: 'en',
    vantage: 'bot',
    conversation: { channelId: 'msteams', conversationId: 'conv-1' },
    report,
    ...overrides,
  };
}
