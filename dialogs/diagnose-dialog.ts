/**
 * The guided diagnosis: asks only for what it does not know yet (the registry, the symptom, where
 * the client runs), re-asks with the reason when an answer does not fit, then starts the diagnosis.
 */
import { ChoicePrompt, ListStyle, recognizeChoices, TextPrompt, WaterfallDialog, type Choice, type PromptValidatorContext, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import { CardFactory, InputHints, MessageFactory, type TurnContext } from 'botbuilder';
import { cardActivity } from '../cards/card-activity.js';
import { noticeCard } from '../cards/cards.js';
import { langOfLocale } from './commands.js';
import { t } from '../src/engine/i18n/i18n.js';
import { knowledge } from '../src/engine/knowledge/knowledge.js';
import { declines, understand } from '../src/engine/knowledge/understand.js';
import { CLIENT_KINDS, type ClientKind, type Lang } from '../src/engine/report/types.js';
import { parseRegistryTarget, TargetError, type RegistryTarget } from '../src/engine/target/registry-target.js';
import { InterruptibleDialog } from './interruptible-dialog.js';
import type { DiagnosisAsked, DiagnosisToRun } from '../src/engine/knowledge/understand.js';
import { isAksCluster } from '../src/engine/target/aks-cluster.js';
import { parseResourceId } from '../src/engine/arm/resource-id.js';

export const DIAGNOSE_DIALOG = 'diagnoseDialog';
const WATERFALL = 'diagnoseWaterfall';
const REGISTRY_PROMPT = 'registryPrompt';
const SYMPTOM_PROMPT = 'symptomPrompt';
const CLIENT_PROMPT = 'clientPrompt';
const CLUSTER_PROMPT = 'clusterPrompt';
/** The cluster question's answer when the user declines it: the diagnosis runs without the cluster's side. */
const NO_CLUSTER = '';
/** The symptom question's answer when the user declines it: the diagnosis runs without a symptom. */
const NO_SYMPTOM = 'skip';

/** What the dialog already knows when it starts (from free text), and what it ends with. */
/** What the dialog already knows when it begins. */
export type DiagnoseOptions = DiagnosisAsked;

export type StartDiagnosis = (context: TurnContext, asked: DiagnosisToRun) => Promise<void>;

/**
 * The AKS clusters the asker may read for this registry's diagnosis (within their rights and scopes);
 * none when they may read none; `typed` when they may but the conversation may not see which
 * (read with one person's rights in a shared conversation): then the cluster is asked for by name.
 */
export type ClusterLister = (context: TurnContext, target: RegistryTarget) => Promise<{ id: string; name: string }[] | 'typed'>;

/** Clusters offered as buttons; any other is typed (resource id, or resourceGroup/name). */
export const MAX_CLUSTER_CHOICES = 6;

/**
 * Without bidi isolates and marks (U+2066–U+2069, U+200E/F). Arabic texts put them around Latin
 * words ("عنقود AKS") so they display in order; a typed answer has none, and one copied from a
 * button has them: either way it is compared without.
 */
export function withoutBidiControls(text: string): string {
  return text.replace(/[\u2066-\u2069\u200e\u200f]/g, '');
}

/** The client question's choices: the button shows the title as the language writes it; the synonym is what a user types. */
export function clientChoices(lang: Lang): Choice[] {
  return CLIENT_KINDS.map((kind) => {
    const title = t(lang, `dialog.clients.${kind}`);
    return { value: kind, action: { type: 'imBack', title, value: kind }, synonyms: [withoutBidiControls(title)] };
  });
}

/** What the steps learnt so far, kept in the dialog's own state (so it survives across turns). */
function knownOf(step: WaterfallStepContext): DiagnoseOptions {
  return (step.values as { known: DiagnoseOptions }).known;
}

export class DiagnoseDialog extends InterruptibleDialog {
  /** `clusters`: the clusters an asker may read; without it, the cluster is never asked for. */
  constructor(
    private readonly start: StartDiagnosis,
    private readonly clusters?: ClusterLister,
  ) {
    super(DIAGNOSE_DIALOG);
    this.addDialog(new TextPrompt(REGISTRY_PROMPT, (p) => this.validateRegistry(p)));
    this.addDialog(new ChoicePrompt(SYMPTOM_PROMPT, (p) => this.validateSymptom(p)));
    this.addDialog(new ChoicePrompt(CLIENT_PROMPT, (p) => this.validateClient(p)));
    this.addDialog(new ChoicePrompt(CLUSTER_PROMPT, (p) => this.validateCluster(p)));
    this.addDialog(
      new WaterfallDialog(WATERFALL, [this.askRegistry.bind(this), this.askSymptom.bind(this), this.askClient.bind(this), this.askCluster.bind(this), this.diagnose.bind(this)]),
    );
    this.initialDialogId = WATERFALL;
  }

  private lang(step: WaterfallStepContext | PromptValidatorContext<unknown>): ReturnType<typeof langOfLocale> {
    return langOfLocale(step.context.activity.locale);
  }

  private async askRegistry(step: WaterfallStepContext<DiagnoseOptions>) {
    const known = step.options as DiagnoseOptions;
    (step.values as { known?: DiagnoseOptions }).known = { ...known };
    if (known.registry) return step.next(known.registry);
    return step.prompt(REGISTRY_PROMPT, { prompt: t(this.lang(step), 'dialog.askRegistry') });
  }

  private async validateRegistry(prompt: PromptValidatorContext<string>): Promise<boolean> {
    const answer = withoutBidiControls(prompt.recognized.value ?? '');
    try {
      parseRegistryTarget(answer);
      prompt.recognized.value = answer;
      return true;
    } catch (err) {
      if (!(err instanceof TargetError)) throw err;
      const lang = this.lang(prompt);
      // The reason quotes the answer: in a card's TextRun, never as markdown.
      await prompt.context.sendActivity(cardActivity(noticeCard(lang, t(lang, 'dialog.badRegistry', { reason: t(lang, err.key, err.params) }))));
      return false;
    }
  }

  private async askSymptom(step: WaterfallStepContext) {
    const known = knownOf(step);
    known.registry = String(step.result);
    if (known.symptoms?.length) return step.next();
    const lang = this.lang(step);
    const choices: Choice[] = knowledge.symptoms.map((id) => ({ value: id, action: { type: 'imBack', title: t(lang, `symptoms.${id}`), value: id } }));
    return step.prompt(SYMPTOM_PROMPT, { prompt: t(lang, 'dialog.askSymptom'), retryPrompt: t(lang, 'dialog.retrySymptom'), choices, style: ListStyle.list });
  }

  /**
   * A pasted error that maps to a known symptom, else a pick from the list, or "skip". The error
   * comes first: the number recogniser would read "10" in `on 10.0.0.10:53` as choice 10.
   */
  private async validateSymptom(prompt: PromptValidatorContext<FoundChoice>): Promise<boolean> {
    const text = withoutBidiControls(prompt.context.activity.text ?? '');
    if (declines(text)) {
      prompt.recognized.value = { value: NO_SYMPTOM, index: -1, score: 1 };
      return true;
    }
    const [symptom] = understand(text).symptoms;
    if (symptom) {
      prompt.recognized.value = { value: symptom, index: knowledge.symptoms.indexOf(symptom), score: 1 };
      return true;
    }
    return prompt.recognized.succeeded;
  }

  private async askClient(step: WaterfallStepContext) {
    const known = knownOf(step);
    if (!known.symptoms?.length) {
      const { value } = step.result as FoundChoice;
      known.symptoms = value === NO_SYMPTOM ? [] : [value];
    }
    if (known.client) return step.next();
    const lang = this.lang(step);
    return step.prompt(CLIENT_PROMPT, { prompt: t(lang, 'dialog.askClient'), choices: clientChoices(lang), style: ListStyle.list });
  }

  /** "laptop", "on-prem", "kubernetes", "build agent"…, a number or a choice's title; else the reason, and the question again. */
  private async validateClient(prompt: PromptValidatorContext<FoundChoice>): Promise<boolean> {
    const text = withoutBidiControls(prompt.context.activity.text ?? '').trim();
    const { client } = understand(text);
    if (client) {
      prompt.recognized.value = { value: client, index: CLIENT_KINDS.indexOf(client), score: 1 };
      return true;
    }
    if (prompt.recognized.succeeded) return true;
    // The prompt matched the answer as sent; an answer copied from an Arabic button has isolates the synonyms lack.
    const [found] = recognizeChoices(text, prompt.options.choices ?? [], { locale: prompt.context.activity.locale ?? 'en-us' });
    if (found) {
      prompt.recognized.value = found.resolution;
      return true;
    }
    return this.reAsk(prompt, 'dialog.retryClient', text);
  }

  /**
   * An answer that does not fit, quoted back with the reason (the prompt then asks again): in a
   * card's TextRun, so `[x](https://evil)` in a group chat stays text.
   */
  private async reAsk(prompt: PromptValidatorContext<FoundChoice>, key: string, answer: string): Promise<false> {
    const lang = this.lang(prompt);
    await prompt.context.sendActivity(cardActivity(noticeCard(lang, t(lang, key, { input: answer.slice(0, 80) }))));
    return false;
  }

  /**
   * In AKS, which cluster: one of those the asker may read (buttons, at most MAX_CLUSTER_CHOICES),
   * or typed as its resource id or resourceGroup/name, or skipped. Not asked when the asker may read
   * no cluster: the diagnosis then runs without the cluster's side.
   */
  private async askCluster(step: WaterfallStepContext) {
    const known = knownOf(step);
    if (!known.client) known.client = (step.result as FoundChoice).value as ClientKind;
    if (known.client !== 'aks' || known.aksCluster || !this.clusters) return step.next();
    const clusters = await this.clusters(step.context, parseRegistryTarget(known.registry!));
    const lang = this.lang(step);
    if (clusters === 'typed') return step.prompt(CLUSTER_PROMPT, { prompt: t(lang, 'dialog.askClusterTyped'), choices: [], style: ListStyle.none });
    if (clusters.length === 0) return step.next();
    // Names from ARM are button titles (plain text, never markdown); the button sends the resource id.
    const choices: Choice[] = clusters.slice(0, MAX_CLUSTER_CHOICES).map((c) => {
      const group = parseResourceId(c.id)?.resourceGroup ?? '';
      return { value: c.id, action: { type: 'imBack', title: `${c.name} (${group})`, value: c.id }, synonyms: [c.name, `${group}/${c.name}`] };
    });
    const more = clusters.length > MAX_CLUSTER_CHOICES ? t(lang, 'dialog.moreClusters', { count: String(clusters.length - MAX_CLUSTER_CHOICES) }) : '';
    // A hero card of our own: botbuilder's would title each button with its value (the resource id).
    const buttons = choices.map((c) => c.action!);
    const prompt = MessageFactory.attachment(CardFactory.heroCard('', `${t(lang, 'dialog.askCluster')}${more ? ` ${more}` : ''}`, undefined, buttons), undefined, undefined, InputHints.ExpectingInput);
    return step.prompt(CLUSTER_PROMPT, { prompt, choices, style: ListStyle.none });
  }

  /** A cluster's resource id or resourceGroup/name as typed, a button's, or "skip"; else the reason, and the question again. */
  private async validateCluster(prompt: PromptValidatorContext<FoundChoice>): Promise<boolean> {
    const text = withoutBidiControls(prompt.context.activity.text ?? '').trim();
    if (declines(text)) {
      prompt.recognized.value = { value: NO_CLUSTER, index: -1, score: 1 };
      return true;
    }
    // One of the offered clusters by its id, name or resourceGroup/name (it may be in another subscription than the registry's).
    const offered = (prompt.options.choices ?? []).findIndex((c) => typeof c !== 'string' && [c.value, ...(c.synonyms ?? [])].some((s) => s.toLowerCase() === text.toLowerCase()));
    if (offered >= 0) {
      prompt.recognized.value = { value: (prompt.options.choices![offered] as Choice).value, index: offered, score: 1 };
      return true;
    }
    if (isAksCluster(text)) {
      prompt.recognized.value = { value: text, index: -1, score: 1 };
      return true;
    }
    return this.reAsk(prompt, 'dialog.retryCluster', text);
  }

  private async diagnose(step: WaterfallStepContext) {
    const known = knownOf(step);
    // The cluster question's answer, when it was asked.
    const answer = step.result as FoundChoice | undefined;
    if (known.client === 'aks' && !known.aksCluster && answer?.value) known.aksCluster = answer.value;
    await this.start(step.context, {
      target: parseRegistryTarget(known.registry!),
      symptoms: known.symptoms ?? [],
      ...(known.client ? { client: known.client } : {}),
      ...(known.aksCluster ? { aksCluster: known.aksCluster } : {}),
    });
    return step.endDialog(known);
  }
}

