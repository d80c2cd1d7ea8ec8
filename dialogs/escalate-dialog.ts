/**
 * The escalation: prefills what the diagnosis knows (registry, subscription, symptom, findings,
 * failed checks, vantage), asks only for the rest (title, severity, subscription when the sink
 * needs one and nothing names it, email, contact method, phone, description), shows a summary to
 * confirm, then hands the ticket request to the bot. No diagnosis yet: it offers to run one first.
 */
import { verdictKey } from '../src/engine/report/render.js';
import { ChoicePrompt, ListStyle, TextPrompt, WaterfallDialog, type Choice, type FoundChoice, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import { MessageFactory, type TurnContext } from 'botbuilder';
import { DiagnoseDialog, DIAGNOSE_DIALOG, type ClusterLister, type StartDiagnosis } from './diagnose-dialog.js';
import { InterruptibleDialog } from './interruptible-dialog.js';
import { parseResourceId } from '../src/engine/arm/resource-id.js';
import { cardActivity } from '../cards/card-activity.js';
import { noticeCard } from '../cards/cards.js';
import { langOfLocale, parseCardSubmit } from './commands.js';
import { conversationLink } from './conversation-link.js';
import { escalationSummaryCard, ticketCard } from '../cards/escalation-cards.js';
import type { Escalation } from '../src/escalation/escalations.js';
import { CONTACT_METHODS, ticketKey, type ContactMethod, type EscalationPolicy, type Severity, type TicketRequest, type TicketSink } from '../src/escalation/ticket.js';
import { t } from '../src/engine/i18n/i18n.js';
import type { Lang, Report } from '../src/engine/report/types.js';
import type { Diagnosis, DiagnosisQuery } from '../src/escalation/diagnosis.js';

export const ESCALATE_DIALOG = 'escalateDialog';
const MAIN = 'escalateWaterfall';
const RUN_FIRST = 'escalateRunFirst';
const RUN_FIRST_PROMPT = 'escalateRunFirstPrompt';
const TITLE_PROMPT = 'escalateTitlePrompt';
const SEVERITY_PROMPT = 'escalateSeverityPrompt';
const SUBSCRIPTION_PROMPT = 'escalateSubscriptionPrompt';
const EMAIL_PROMPT = 'escalateEmailPrompt';
const METHOD_PROMPT = 'escalateMethodPrompt';
const PHONE_PROMPT = 'escalatePhonePrompt';
const DESCRIPTION_PROMPT = 'escalateDescriptionPrompt';
const CONFIRM_PROMPT = 'escalateConfirmPrompt';

export const MAX_TITLE = 200;
export const MAX_DESCRIPTION = 4000;
const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:.]{2,}$/;
const PHONE = /^\+?[0-9][0-9 ().-]{5,24}$/;
const YES = /^(y|yes|ok|confirm|да|ок|نعم|موافق)$/i;
const NO = /^(n|no|нет|لا)$/i;

/** Which diagnosis to escalate: the card's, a registry's last, or the last. */
export type EscalateOptions = DiagnosisQuery;


export interface EscalateDeps {
  findDiagnosis: (context: TurnContext, options: EscalateOptions) => Promise<Diagnosis | undefined>;
  /** The diagnosis as this conversation's cards may show it (in a channel, without what Azure showed one person); the ticket keeps it whole. */
  shown: (context: TurnContext, diagnosis: Diagnosis) => Report;
  sink: Pick<TicketSink, 'kind' | 'severities' | 'needsSubscription'>;
  policy: EscalationPolicy;
  existing: (key: string) => Promise<Escalation | undefined>;
  /** Records and sends the ticket, and tells the user how it went. */
  submit: (context: TurnContext, request: TicketRequest) => Promise<void>;
  startDiagnosis: StartDiagnosis;
  /** The clusters an asker may read, when the diagnosis it starts is of AKS. */
  clusters?: ClusterLister;
}

/** What the steps gathered, in the dialog's own state (so it survives across turns and instances). */
interface Gathered {
  diagnosisId: string;
  registry?: string;
  title?: string;
  severity?: Severity;
  subscriptionId?: string;
  email?: string;
  method?: ContactMethod;
  phone?: string;
  request?: TicketRequest;
}

const gathered = (step: WaterfallStepContext): Gathered => (step.values as { gathered: Gathered }).gathered;
const langOf = (context: TurnContext): Lang => langOfLocale(context.activity.locale);
const textOf = (prompt: PromptValidatorContext<unknown>): string => (prompt.context.activity.text ?? '').trim();

/** The first finding (or the verdict), naming the registry once: most findings name it already. */
export function suggestedTitle(report: Report, lang: Lang): string {
  const { loginServer, name } = report.registry;
  const headline = report.findings[0]?.title ?? t(lang, verdictKey(report), { loginServer });
  const named = headline.toLowerCase().includes(name.toLowerCase());
  return (named ? headline : `${loginServer}: ${headline}`).slice(0, MAX_TITLE);
}

export class EscalateDialog extends InterruptibleDialog {
  constructor(private readonly deps: EscalateDeps) {
    super(ESCALATE_DIALOG);
    this.addDialog(new DiagnoseDialog(deps.startDiagnosis, deps.clusters));
    this.addDialog(new ChoicePrompt(RUN_FIRST_PROMPT));
    this.addDialog(new TextPrompt(TITLE_PROMPT, (p) => this.validate(p, (v) => (v.length === 0 ? t(langOf(p.context), 'escalation.badTitle') : v.length > MAX_TITLE ? t(langOf(p.context), 'escalation.longTitle', { length: String(v.length), max: String(MAX_TITLE) }) : undefined))));
    this.addDialog(new ChoicePrompt(SEVERITY_PROMPT));
    this.addDialog(new ChoicePrompt(SUBSCRIPTION_PROMPT));
    this.addDialog(new TextPrompt(EMAIL_PROMPT, (p) => this.validate(p, (v) => (EMAIL.test(v) && v.length <= 254 ? undefined : t(langOf(p.context), 'escalation.badEmail', { input: v.slice(0, 80) })))));
    this.addDialog(new ChoicePrompt(METHOD_PROMPT));
    this.addDialog(new TextPrompt(PHONE_PROMPT, (p) => this.validate(p, (v) => (PHONE.test(v) ? undefined : t(langOf(p.context), 'escalation.badPhone', { input: v.slice(0, 80) })))));
    this.addDialog(new TextPrompt(DESCRIPTION_PROMPT, (p) => this.validate(p, (v) => (v.length === 0 ? t(langOf(p.context), 'escalation.badDescription') : undefined))));
    this.addDialog(new TextPrompt(CONFIRM_PROMPT, (p) => this.recognizeConfirmation(p)));
    this.addDialog(new WaterfallDialog(RUN_FIRST, [this.offerRun.bind(this), this.runOrNot.bind(this), this.afterRun.bind(this)]));
    this.addDialog(
      new WaterfallDialog(MAIN, [
        this.locate.bind(this),
        this.askTitle.bind(this),
        this.askSeverity.bind(this),
        this.askSubscription.bind(this),
        this.askEmail.bind(this),
        this.askMethod.bind(this),
        this.askPhone.bind(this),
        this.askDescription.bind(this),
        this.review.bind(this),
        this.send.bind(this),
      ]),
    );
    this.initialDialogId = MAIN;
  }

  /** A text answer checked by `problem`; its complaint goes back to the user and the question is asked again. */
  private async validate(prompt: PromptValidatorContext<string>, problem: (value: string) => string | undefined): Promise<boolean> {
    const value = (prompt.recognized.value ?? '').trim();
    const complaint = problem(value);
    if (complaint === undefined) {
      prompt.recognized.value = value;
      return true;
    }
    // A complaint quotes the answer ("call me" is not a phone number): in a card's TextRun, never as markdown.
    await prompt.context.sendActivity(cardActivity(noticeCard(langOf(prompt.context), complaint)));
    return false;
  }

  private async diagnosis(context: TurnContext, id: string): Promise<Diagnosis> {
    const found = await this.deps.findDiagnosis(context, { diagnosisId: id });
    if (!found) throw new Error(`diagnosis ${id} is gone from this conversation's storage`);
    return found;
  }

  // --- No diagnosis yet: offer to run one.

  private async offerRun(step: WaterfallStepContext) {
    const { registry } = step.options as EscalateOptions;
    const lang = langOf(step.context);
    (step.values as { registry?: string }).registry = registry;
    const choices: Choice[] = [
      { value: 'run', action: { type: 'imBack', title: t(lang, 'escalation.runFirst'), value: t(lang, 'escalation.runFirst') }, synonyms: [t(lang, 'escalation.runFirst'), 'yes', 'да', 'نعم'] },
      { value: 'later', action: { type: 'imBack', title: t(lang, 'escalation.notNow'), value: t(lang, 'escalation.notNow') }, synonyms: [t(lang, 'escalation.notNow'), 'no', 'нет', 'لا'] },
    ];
    const prompt = registry ? t(lang, 'escalation.noDiagnosisFor', { registry }) : t(lang, 'escalation.noDiagnosis');
    return step.prompt(RUN_FIRST_PROMPT, { prompt, choices, style: ListStyle.suggestedAction });
  }

  private async runOrNot(step: WaterfallStepContext) {
    if ((step.result as FoundChoice).value !== 'run') {
      await step.context.sendActivity(t(langOf(step.context), 'escalation.later'));
      return step.endDialog();
    }
    const { registry } = step.values as { registry?: string };
    return step.beginDialog(DIAGNOSE_DIALOG, registry ? { registry } : {});
  }

  private async afterRun(step: WaterfallStepContext) {
    await step.context.sendActivity(t(langOf(step.context), 'escalation.runningFirst'));
    return step.endDialog();
  }

  // --- The escalation itself.

  private async locate(step: WaterfallStepContext) {
    const options = step.options as EscalateOptions;
    const found = await this.deps.findDiagnosis(step.context, options);
    if (!found) return step.replaceDialog(RUN_FIRST, options);
    const existing = await this.deps.existing(ticketKey(found.report, found.vantage));
    if (existing && existing.state !== 'failed') {
      const lang = langOf(step.context);
      await step.context.sendActivity(cardActivity(ticketCard(lang, existing, t(lang, 'escalation.already'))));
      return step.endDialog(existing);
    }
    const { report } = found;
    // The subscription ARM showed the bot the registry in: the bot's own diagnosis of it, never an upload's or a typed id.
    const seen = found.vantage === 'bot' ? found : await this.deps.findDiagnosis(step.context, { registry: report.registry.loginServer, vantage: 'bot' });
    const { subscriptions } = this.deps.policy;
    const subscriptionId = parseResourceId(seen?.report.facts.resourceId ?? '')?.subscriptionId ?? (subscriptions.length === 1 ? subscriptions[0] : undefined);
    (step.values as { gathered: Gathered }).gathered = { diagnosisId: report.id, registry: report.registry.loginServer, ...(subscriptionId ? { subscriptionId } : {}) };
    return step.next();
  }

  private async askTitle(step: WaterfallStepContext) {
    const lang = langOf(step.context);
    const suggestion = suggestedTitle(this.deps.shown(step.context, await this.diagnosis(step.context, gathered(step).diagnosisId)), lang);
    return step.prompt(TITLE_PROMPT, { prompt: MessageFactory.suggestedActions([suggestion], t(lang, 'escalation.askTitle')) });
  }

  private async askSeverity(step: WaterfallStepContext) {
    gathered(step).title = String(step.result);
    const lang = langOf(step.context);
    const severities = this.deps.policy.severities;
    const choices: Choice[] = severities.map((s) => ({ value: s, action: { type: 'imBack', title: t(lang, `escalation.severities.${s}`), value: s }, synonyms: [t(lang, `escalation.severities.${s}`), t(lang, `escalation.severities.${s}`).split(':')[0]!] }));
    const retry = t(lang, 'escalation.badSeverity', { sink: t(lang, `escalation.sinks.${this.deps.sink.kind}`), list: severities.map((s) => t(lang, `escalation.severities.${s}`).split(':')[0]!).join(', ') });
    return step.prompt(SEVERITY_PROMPT, { prompt: t(lang, 'escalation.askSeverity'), retryPrompt: retry, choices, style: ListStyle.list });
  }

  private async askSubscription(step: WaterfallStepContext) {
    const g = gathered(step);
    g.severity = (step.result as FoundChoice).value as Severity;
    if (!this.deps.sink.needsSubscription || g.subscriptionId) return step.next();
    const lang = langOf(step.context);
    const { subscriptions } = this.deps.policy;
    if (subscriptions.length === 0) {
      await step.context.sendActivity(t(lang, 'escalation.noSubscription'));
      return step.endDialog();
    }
    const choices: Choice[] = subscriptions.map((s) => ({ value: s, action: { type: 'imBack', title: s, value: s } }));
    return step.prompt(SUBSCRIPTION_PROMPT, { prompt: t(lang, 'escalation.askSubscription'), retryPrompt: t(lang, 'escalation.askSubscription'), choices, style: ListStyle.list });
  }

  private async askEmail(step: WaterfallStepContext) {
    const g = gathered(step);
    const chosen = step.result as FoundChoice | undefined;
    if (chosen?.value) g.subscriptionId = chosen.value;
    return step.prompt(EMAIL_PROMPT, { prompt: t(langOf(step.context), 'escalation.askEmail') });
  }

  private async askMethod(step: WaterfallStepContext) {
    gathered(step).email = String(step.result);
    const lang = langOf(step.context);
    const choices: Choice[] = CONTACT_METHODS.map((m) => ({ value: m, action: { type: 'imBack', title: t(lang, `escalation.methods.${m}`), value: m }, synonyms: [t(lang, `escalation.methods.${m}`)] }));
    return step.prompt(METHOD_PROMPT, { prompt: t(lang, 'escalation.askMethod'), choices, style: ListStyle.suggestedAction });
  }

  private async askPhone(step: WaterfallStepContext) {
    const g = gathered(step);
    g.method = (step.result as FoundChoice).value as ContactMethod;
    if (g.method !== 'phone') return step.next();
    return step.prompt(PHONE_PROMPT, { prompt: t(langOf(step.context), 'escalation.askPhone') });
  }

  private async askDescription(step: WaterfallStepContext) {
    const g = gathered(step);
    if (typeof step.result === 'string') g.phone = step.result;
    return step.prompt(DESCRIPTION_PROMPT, { prompt: t(langOf(step.context), 'escalation.askDescription') });
  }

  private async review(step: WaterfallStepContext) {
    const g = gathered(step);
    const found = await this.diagnosis(step.context, g.diagnosisId);
    const { report, vantage } = found;
    const lang = langOf(step.context);
    const [firstName = 'Teams', ...rest] = (step.context.activity.from?.name ?? '').trim().split(/\s+/).filter(Boolean);
    const request: TicketRequest = {
      key: ticketKey(report, vantage),
      title: g.title!,
      severity: g.severity!,
      description: String(step.result).slice(0, MAX_DESCRIPTION),
      contact: { firstName, lastName: rest.join(' ') || 'user', email: g.email!, method: g.method!, ...(g.phone ? { phone: g.phone } : {}) },
      lang,
      ...(g.subscriptionId ? { subscriptionId: g.subscriptionId } : {}),
      vantage,
      conversation: conversationLink(step.context.activity),
      report,
    };
    // Only the report's id stays in dialog state; the report itself is read again when sent.
    g.request = { ...request, report: { id: report.id } as Report };
    // The summary is shown in the conversation: what its readers may see, and a subscription only
    // when the shown diagnosis names it or the bot's operator listed it.
    const shown = this.deps.shown(step.context, found);
    const named = parseResourceId(shown.facts.resourceId ?? '')?.subscriptionId === g.subscriptionId || this.deps.policy.subscriptions.includes(g.subscriptionId ?? '');
    const displayed: TicketRequest = { ...request, report: shown };
    if (!named) delete displayed.subscriptionId;
    const summary = cardActivity(escalationSummaryCard(lang, displayed, this.deps.sink.kind));
    return step.prompt(CONFIRM_PROMPT, { prompt: summary, retryPrompt: t(lang, 'escalation.confirmRetry') });
  }

  /** Yes or no, from the summary card's buttons or typed. */
  private async recognizeConfirmation(prompt: PromptValidatorContext<string>): Promise<boolean> {
    const { verb } = parseCardSubmit(prompt.context.activity.value);
    const text = textOf(prompt);
    const answer = verb === 'escalation.confirm' || YES.test(text) ? 'yes' : verb === 'escalation.cancel' || NO.test(text) ? 'no' : undefined;
    if (!answer) return false;
    prompt.recognized.value = answer;
    return true;
  }

  private async send(step: WaterfallStepContext) {
    const g = gathered(step);
    if (step.result !== 'yes') {
      await step.context.sendActivity(t(langOf(step.context), 'escalation.cancelled'));
      return step.endDialog();
    }
    const { report } = await this.diagnosis(step.context, g.diagnosisId);
    await this.deps.submit(step.context, { ...g.request!, report });
    return step.endDialog();
  }
}
