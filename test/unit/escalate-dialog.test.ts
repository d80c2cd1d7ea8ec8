import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { EscalateDialog, type EscalateDeps, type EscalateOptions } from '../../dialogs/escalate-dialog.js';
import type { Diagnosis } from '../../src/escalation/diagnosis.js';
import type { Escalation } from '../../src/escalation/escalations.js';
import { ticketKey, type TicketRequest } from '../../src/escalation/ticket.js';
import type { Report } from '../../src/engine/report/types.js';
import { DENIED_EVIDENCE, sampleReport } from '../helpers/sample-report.js';
import { assertValidCard } from '../helpers/validate-card.js';
import { markdownTexts, textRuns } from '../helpers/card-texts.js';

interface Harness {
  test: DialogTestClient;
  submitted: TicketRequest[];
  started: string[];
  report: Report;
}

function harness(options: EscalateOptions = {}, overrides: Partial<EscalateDeps> & { diagnosis?: Diagnosis | null } = {}): Harness {
  const report = sampleReport(DENIED_EVIDENCE);
  report.facts.resourceId = '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/myregistry';
  const diagnosis = overrides.diagnosis === null ? undefined : (overrides.diagnosis ?? { report, vantage: 'bot' as const });
  const submitted: TicketRequest[] = [];
  const started: string[] = [];
  const deps: EscalateDeps = {
    findDiagnosis: async (_context, wanted) => (wanted.vantage && diagnosis?.vantage !== wanted.vantage ? undefined : diagnosis),
    sink: { kind: 'webhook', severities: ['minimal', 'moderate', 'critical'], needsSubscription: false },
    existing: async () => undefined,
    submit: async (context, request) => {
      submitted.push(request);
      await context.sendActivity('submitted');
    },
    startDiagnosis: async (_c, asked) => void started.push(asked.target.loginServer),
    shown: (_c, d) => d.report,
    ...overrides,
    policy: overrides.policy ?? { severities: ['minimal', 'moderate', 'critical'], subscriptions: [] },
  };
  return { test: new DialogTestClient('msteams', new EscalateDialog(deps), options), submitted, started, report: diagnosis?.report ?? report };
}

type Step = [userSays: string | Partial<Activity>, botAnswers: RegExp];

/** Each step's replies, all of them, as text (cards as their JSON and their TextRuns). */
async function converse(test: DialogTestClient, steps: Step[]): Promise<void> {
  for (const [says, answers] of steps) {
    const replies: Partial<Activity>[] = [(await test.sendActivity(says)) as Partial<Activity>];
    for (let next = test.getNextReply() as Partial<Activity> | undefined; next; next = test.getNextReply() as Partial<Activity> | undefined) replies.push(next);
    const text = replies.map((r) => `${r?.text ?? ''} ${JSON.stringify(r?.attachments ?? '')} ${textRuns(r?.attachments).join(' ')} ${JSON.stringify(r?.suggestedActions ?? '')}`).join('\n');
    assert.match(text, answers, `after ${JSON.stringify(says)}`);
    for (const card of replies.flatMap((r) => r?.attachments ?? [])) assertValidCard(card.content as Record<string, unknown>);
  }
}

const confirm = (key: string): Partial<Activity> => ({ type: 'message', value: { verb: 'escalation.confirm', escalation: key } });

describe('escalation dialog', function () {
  it('prefills from the diagnosis, asks only the rest, re-asks bad answers with the reason, and submits after the summary', async function () {
    const { test, submitted, report } = harness({ diagnosisId: 'x' });
    await converse(test, [
      ['escalate', /A title for the ticket.*myregistry\.azurecr\.io: The registry's network rules deny this client/s],
      ['   ', /The title is empty/],
      ['x'.repeat(201), /201 characters; 200 at most/],
      ['Pulls from AKS denied since 09:00', /How severe is it\?.*Minimal.*Moderate.*Critical/s],
      ['highestcriticalimpact', /Choose one of: Minimal, Moderate, Critical/],
      ['critical', /Your email address/],
      ['pe at contoso', /"pe at contoso" is not an email address/],
      ['pe@contoso.com', /How should support contact you\?/],
      ['phone', /Your phone number/],
      ['call me', /"call me" is not a phone number/],
      ['+44 20 7946 0000', /Describe the problem/],
      ['', /The description is empty/],
      ['Started after the firewall change.', /Review the ticket.*Pulls from AKS denied since 09:00.*Critical: production is affected.*Checks that failed.*pe@contoso.com.*Open the ticket/s],
      ['maybe', /Choose Open the ticket or Cancel/],
      [confirm(ticketKey(report)), /submitted/],
    ]);
    assert.equal(submitted.length, 1);
    const [request] = submitted;
    assert.equal(request!.key, ticketKey(report));
    assert.equal(request!.report.id, report.id, 'the whole diagnosis is attached');
    assert.equal(request!.subscriptionId, '0b1f6471-1bf0-4dda-aec3-111122223333', 'the subscription comes from the registry');
    assert.deepEqual(request!.contact, { firstName: 'User1', lastName: 'user', email: 'pe@contoso.com', method: 'phone', phone: '+44 20 7946 0000' });
    assert.equal(request!.severity, 'critical');
    assert.equal(request!.vantage, 'bot');
    assert.equal(test.dialogTurnResult.status, 'complete');
  });

  it('in a channel, the summary shows the diagnosis as its readers may see it (no subscription, no Azure check), and the ticket still carries it whole', async function () {
    const report = sampleReport(DENIED_EVIDENCE);
    report.facts.resourceId = '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/myregistry';
    report.checks.push({ id: 'arm.registry', title: 'Registry configuration in Azure', status: 'pass', outcome: 'arm.registry.read', durationMs: 5, data: {}, detail: 'Premium in westeurope' });
    const shared = { ...report, facts: {}, checks: report.checks.filter((c) => !c.id.startsWith('arm.')) };
    const { test, submitted } = harness({}, { diagnosis: { report, vantage: 'bot', readBy: 'alice' }, shown: () => shared });
    await converse(test, [
      ['escalate', /A title/],
      ['Denied', /How severe/],
      ['Critical', /email/],
      ['pe@contoso.com', /contact you/],
      ['email', /Describe/],
    ]);
    const reply = (await test.sendActivity('It fails.')) as Partial<Activity>;
    const summary = JSON.stringify(reply.attachments);
    assert.match(summary, /Review the ticket/);
    assert.doesNotMatch(summary, /0b1f6471|Premium in westeurope/, 'neither the subscription nor what Azure showed the reader');
    await converse(test, [['yes', /submitted/]]);
    assert.equal(submitted[0]!.subscriptionId, '0b1f6471-1bf0-4dda-aec3-111122223333', 'the ticket is filed where the reader found the registry');
    assert.ok(submitted[0]!.report.checks.some((c) => c.id === 'arm.registry'), 'the ticket carries the whole diagnosis');
  });

  it('a bad answer is quoted back as text, in a card: no one makes the bot post a link', async function () {
    const { test } = harness();
    await converse(test, [['escalate', /A title/]]);
    await converse(test, [['t', /.*/], ['moderate', /.*/]]);
    const link = '[Re-authenticate](https://evil.example)';
    const reply = (await test.sendActivity(link)) as Partial<Activity>;
    assert.equal(reply.text, undefined, 'no plain message, which Teams reads as markdown');
    assert.ok(textRuns(reply.attachments).some((run) => run.includes(link)), JSON.stringify(reply));
    assert.deepEqual(markdownTexts(reply.attachments).filter((text) => text.includes('evil.example')), []);
  });

  it('Azure support: a subscription the upload names is not believed; the user chooses only among the configured ones, and only severities up to the configured highest', async function () {
    const report = sampleReport(DENIED_EVIDENCE);
    // What a failing machine uploaded: the registry "in" a subscription of the uploader's choosing.
    report.facts.resourceId = '/subscriptions/99999999-9999-4999-8999-999999999999/resourceGroups/x/providers/Microsoft.ContainerRegistry/registries/myregistry';
    const azure = { kind: 'azure', severities: ['minimal', 'moderate', 'critical', 'highestcriticalimpact'], needsSubscription: true } as const;
    const policy = { severities: ['minimal', 'moderate', 'critical'] as const, subscriptions: ['5e1f0000-aaaa-4bbb-8ccc-444455556666', '6e2f0000-bbbb-4ccc-8ddd-555566667777'] };
    const { test, submitted } = harness({}, { diagnosis: { report, vantage: 'client' }, sink: azure, policy });
    await converse(test, [
      ['escalate', /A title/],
      ['Denied', /How severe/],
      ['Emergency', /Choose one of: Minimal, Moderate, Critical/],
      ['Critical', /Which Azure subscription.*5e1f0000-aaaa-4bbb-8ccc-444455556666.*6e2f0000-bbbb-4ccc-8ddd-555566667777/s],
      ['99999999-9999-4999-8999-999999999999', /Which Azure subscription/],
      ['5e1f0000-aaaa-4bbb-8ccc-444455556666', /email/],
      ['pe@contoso.com', /contact you/],
      ['email', /Describe/],
      // Our own facts (vantage among them) come first, then what was given (the subscription among them).
      ['It fails.', /Review the ticket.*Azure support.*the failing machine.*5e1f0000-aaaa-4bbb-8ccc-444455556666/s],
      ['yes', /submitted/],
    ]);
    assert.equal(submitted[0]!.subscriptionId, '5e1f0000-aaaa-4bbb-8ccc-444455556666');
    assert.equal(submitted[0]!.severity, 'critical');
  });

  it('Azure support: with no subscription found or configured, says so and files nothing', async function () {
    const report = sampleReport(DENIED_EVIDENCE);
    const azure = { kind: 'azure', severities: ['minimal', 'moderate', 'critical', 'highestcriticalimpact'], needsSubscription: true } as const;
    const { test, submitted } = harness({}, { diagnosis: { report, vantage: 'bot' }, sink: azure, policy: { severities: ['minimal'], subscriptions: [] } });
    await converse(test, [
      ['escalate', /A title/],
      ['Denied', /How severe/],
      ['Minimal', /only in the subscription where it found the registry.*SUPPORT_SUBSCRIPTION_IDS/s],
    ]);
    assert.deepEqual(submitted, []);
  });

  it('cancel on the summary sends nothing', async function () {
    const { test, submitted, report } = harness();
    await converse(test, [
      ['escalate', /A title/],
      ['t', /How severe/],
      ['1', /email/],
      ['a@b.co', /contact/],
      ['1', /Describe/],
      ['d', /Review/],
      [{ type: 'message', value: { verb: 'escalation.cancel', escalation: ticketKey(report) } }, /Not escalated/],
    ]);
    assert.deepEqual(submitted, []);
  });

  it('cancel and help work at any step', async function () {
    const { test, submitted } = harness();
    await converse(test, [
      ['escalate', /A title/],
      ['help', /acr-check.*A title/s],
      ['cancel', /Cancelled/],
    ]);
    assert.deepEqual(submitted, []);
  });

  it('with no diagnosis yet, offers to run one first', async function () {
    const { test, started } = harness({ registry: 'myregistry.azurecr.io' }, { diagnosis: null });
    await converse(test, [
      ['escalate', /no diagnosis of myregistry\.azurecr\.io in this conversation.*Run a diagnosis/s],
      ['Run a diagnosis', /What do you see\?/],
      ['1', /Where does the failing client run\?/],
      ['1', /When the result is in, choose Escalate/],
    ]);
    assert.deepEqual(started, ['myregistry.azurecr.io']);
    const later = harness({}, { diagnosis: null });
    await converse(later.test, [
      ['escalate', /no diagnosis in this conversation/],
      ['Not now', /choose Escalate on its card/],
    ]);
  });

  it('a diagnosis escalated already shows its ticket instead of asking again', async function () {
    const existing = { key: 'k', sink: 'webhook', state: 'created', ticket: { key: 'k', sink: 'webhook', id: 'INC0012345', url: 'https://tickets.contoso.com/INC0012345', status: 'open', createdAt: '2026-11-24T08:00:00Z' } } as Escalation;
    const { test, submitted } = harness({}, { existing: async () => ({ ...existing, request: { title: 'Denied', report: sampleReport(DENIED_EVIDENCE) } as TicketRequest }) });
    await converse(test, [['escalate', /escalated already.*INC0012345.*https:\/\/tickets\.contoso\.com\/INC0012345/s]]);
    assert.deepEqual(submitted, []);
  });

  it('asks in the conversation language', async function () {
    const { test } = harness();
    await converse(test, [[{ type: 'message', text: 'escalate', locale: 'ru-RU' }, /Заголовок заявки/]]);
    const ar = harness().test;
    await converse(ar, [[{ type: 'message', text: 'escalate', locale: 'ar-SA' }, /عنوان التذكرة/]]);
  });
});
