/**
 * A diagnosis as the user watches it: a progress card sent at once, updated in place (throttled,
 * in order) as checks finish, then replaced by the result card, all outside the turn, which Teams
 * would drop after ~15 s. Two requests for one registry in one conversation share one run.
 */
import { randomUUID } from 'node:crypto';
import { MessageFactory, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import type { DiagnoseRequest } from '../engine/diagnose.js';
import { t } from '../engine/i18n/i18n.js';
import type { ProgressSnapshot } from '../engine/probes/evidence.js';
import { NO_PROGRESS, progressView } from '../engine/report/progress-view.js';
import type { DiagnosisToRun } from '../engine/knowledge/understand.js';
import type { Lang, Report } from '../engine/report/types.js';
import type { RegistryTarget } from '../engine/target/registry-target.js';
import { cardActivity } from '../../cards/card-activity.js';
import { noticeCard, progressCard, type Card } from '../../cards/cards.js';
import { resultCardFor, sharedConversation, withoutArmProgress } from './own-view.js';
import { DiagnosisSlots, type Entry } from './diagnosis-slots.js';
import { armAuditLines, askerOf } from './audit.js';
import type { ArmMode, Asker } from '../engine/azure/arm-policy.js';
import type { DiagnosisLog } from './diagnosis-log.js';
import { DiagnosisRuns } from './diagnosis-runs.js';
import { errorLine, stackOf } from '../engine/net/error-line.js';
import type { CliDownload } from '../handover/run-commands.js';

/** At most one progress update per card in this interval (Teams throttles edits). */
const PROGRESS_INTERVAL_MS = 700;

export interface LiveDiagnosisDeps {
  diagnose: (request: DiagnoseRequest) => Promise<Report>;
  /** Azure access for a registry as the asker may have it (ARM readers within their scopes, or a reason not to read), made at the composition root. */
  azure: (target: RegistryTarget, asker: Asker, userToken?: string) => Pick<DiagnoseRequest, 'arm' | 'tokenSource' | 'armSkipped'>;
  /** Whose rights ARM is read with (for the audit lines). */
  armMode: ArmMode;
  /** Runs logic in a conversation after its turn ended (CloudAdapter.continueConversationAsync). */
  continueConversation: (reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>) => Promise<void>;
  logger: Logger;
  budgetMs: number;
  /** Where finished diagnoses are kept for escalation and hand-over. */
  log: DiagnosisLog;
  /** Diagnoses at once (the bot's), waiting for a place, and at once in one conversation. */
  limits: DiagnosisLimits;
  /** Where failing machines fetch acr-check, for the result card's commands. */
  download: CliDownload;
}

export interface DiagnosisLimits {
  running: number;
  waiting: number;
  perConversation: number;
}

export class LiveDiagnoses {
  private readonly runs = new DiagnosisRuns();
  private readonly slots: DiagnosisSlots;

  constructor(private readonly deps: LiveDiagnosisDeps) {
    this.slots = new DiagnosisSlots(deps.limits.running, deps.limits.waiting);
  }

  /** Diagnoses in flight. */
  get size(): number {
    return this.runs.size;
  }

  /** `userToken`: the asker's single sign-on token, when Azure is read with their rights. */
  async start(context: TurnContext, lang: Lang, asked: DiagnosisToRun, userToken?: string): Promise<void> {
    const { target, symptoms, client, aksCluster } = asked;
    const reference = TurnContext.getConversationReference(context.activity);
    const asker = askerOf(context.activity);
    // Where the run stands, as its last event told; the engine plans every check as it starts.
    let progress: ProgressSnapshot = NO_PROGRESS;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    let showProgress = (): void => undefined;

    const conversation = `${reference.conversation?.id ?? ''}|`;
    // Read with the asker's own rights (ARM_ACCESS=user and signed in), the run is theirs alone:
    // another user of the conversation may have other rights.
    const asUser = userToken !== undefined && this.deps.armMode === 'user';
    // What the conversation's other readers may not see stays off the progress card too.
    const shown = asUser && sharedConversation(reference.conversation) ? withoutArmProgress : (p: ProgressSnapshot): ProgressSnapshot => p;
    // One run per registry and cluster: the same registry asked about another cluster is another question.
    const key = `${conversation}${asUser ? `${asker.objectId ?? context.activity.from?.id ?? ''}|` : ''}${target.loginServer}${aksCluster ? `|${aksCluster.toLowerCase()}` : ''}`;
    // A request for a registry already being checked here joins that run and costs nothing more.
    let place: Entry | undefined;
    if (!this.runs.has(key)) {
      const here = this.runs.countStartingWith(conversation);
      if (here >= this.deps.limits.perConversation) return void (await context.sendActivity(cardActivity(noticeCard(lang, t(lang, 'bot.busyConversation', { count: String(here) })))));
      place = this.slots.enter();
      if (!place) return void (await context.sendActivity(cardActivity(noticeCard(lang, t(lang, 'bot.busy')))));
    }
    const entered = place?.entered ?? Promise.resolve((): void => undefined);
    const { report } = this.runs.join(
      key,
      async (onProgress) => {
        const release = await entered;
        try {
          return await this.deps.diagnose({ target, symptoms, ...(client ? { client } : {}), ...(aksCluster ? { aksCluster } : {}), lang, budgetMs: this.deps.budgetMs, onProgress, ...this.deps.azure(target, asker, userToken) });
        } finally {
          release();
        }
      },
      (event) => {
        progress = event.progress;
        showProgress();
      },
    );
    // Handled below once the card is out; a failure meanwhile is not an unhandled rejection.
    report.catch(() => undefined);
    // Sent once the run has planned its checks, so the first card already counts all of them.
    const sent = await context.sendActivity(cardActivity(progressCard(lang, target.loginServer, progressView(lang, shown(progress)), place?.ahead)));
    // Updates of one card go out in order, so a late progress update never covers the result.
    let updates: Promise<void> = Promise.resolve();
    const replace = (activity: Partial<Activity>): Promise<void> =>
      (updates = updates
        .catch(() => undefined)
        .then(() => this.deps.continueConversation(reference, async (ctx) => void (await ctx.updateActivity({ ...activity, id: sent?.id ?? '' })))));
    const update = (card: Card): Promise<void> => replace(cardActivity(card));
    showProgress = (): void => {
      if (timer || done) return;
      timer = setTimeout(() => {
        timer = undefined;
        if (!done) void update(progressCard(lang, target.loginServer, progressView(lang, shown(progress)))).catch((err: unknown) => this.deps.logger.warn({ error: errorLine(err) }, 'progress update failed'));
      }, PROGRESS_INTERVAL_MS);
    };
    showProgress();

    // The turn ends here; the diagnosis finishes outside it and replaces the progress card.
    const stopProgress = (): void => {
      done = true;
      clearTimeout(timer);
    };
    void report
      .then(
        (result) => {
          stopProgress();
          for (const line of armAuditLines(result, asker, this.deps.armMode)) this.deps.logger.info(line, 'audit: ARM read');
          // Read with the asker's rights, it is theirs: an asker without an Entra id matches no one, not even themselves.
          const reader = asUser ? { readBy: asker.objectId ?? `unknown:${reference.user?.id ?? ''}`, ...(reference.user?.id ? { readerId: reference.user.id } : {}) } : {};
          const diagnosis = { report: result, vantage: 'bot' as const, ...reader };
          // Kept before the card shows it, so its Escalate button always finds it.
          const logged = this.deps.log.add(reference.conversation?.id ?? '', diagnosis).catch((err: unknown) => this.deps.logger.error({ error: errorLine(err) }, 'could not keep the diagnosis for escalation'));
          // The card as the conversation sees it: in a channel, the facts only in the asker's own view.
          return logged.then(() => update(resultCardFor(diagnosis, reference.conversation, this.deps.download, 'post')));
        },
        (err: unknown) => {
          stopProgress();
          const id = randomUUID();
          this.deps.logger.error({ error: errorLine(err), stack: stackOf(err), correlationId: id, registry: target.loginServer }, 'diagnosis failed');
          return replace(MessageFactory.text(t(lang, 'bot.error', { id })));
        },
      )
      .catch((err: unknown) => this.deps.logger.error({ error: errorLine(err), registry: target.loginServer }, 'result update failed'));
  }
}
