/**
 * The Teams bot's turn logic: turns activities into calls of the core and reports into cards,
 * nothing else. One handler per command and per card verb; a diagnosis never blocks the turn
 * (live-diagnosis.ts).
 */
import { ActivityHandler, ConversationState, MemoryStorage, TurnContext, type Activity, type ConversationReference, type InvokeResponse, type StatePropertyAccessor, type Storage } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import { DiagnoseDialog, DIAGNOSE_DIALOG } from '../../dialogs/diagnose-dialog.js';
import { EscalateDialog, ESCALATE_DIALOG } from '../../dialogs/escalate-dialog.js';
import type { EscalationPolicy } from '../escalation/ticket.js';
import type { Diagnosis, DiagnosisQuery } from '../escalation/diagnosis.js';
import { SignInDialog, SIGN_IN_DIALOG } from '../../dialogs/sign-in-dialog.js';
import { errorLine } from '../engine/net/error-line.js';
import type { TokenCredential } from '@azure/identity';
import { RateLimit } from './http/rate-limit.js';
import type { Escalation, Escalations } from '../escalation/escalations.js';
import type { TicketRequest } from '../escalation/ticket.js';
import { t } from '../engine/i18n/i18n.js';
import { understand, type DiagnosisAsked, type DiagnosisToRun } from '../engine/knowledge/understand.js';
import type { Lang } from '../engine/report/types.js';
import { readableClusters } from '../engine/arm/read-cluster.js';
import { parseRegistryTarget, TargetError, type RegistryTarget } from '../engine/target/registry-target.js';
import { helpCard, noticeCard, podClusterOf } from '../../cards/cards.js';
import { langOfLocale, parseCardSubmit, parseCommand } from '../../dialogs/commands.js';
import { DiagnosisLog } from './diagnosis-log.js';
import { LiveDiagnoses, type LiveDiagnosisDeps } from './live-diagnosis.js';
import { cardActivity } from '../../cards/card-activity.js';
import { foundTicketCard, ticketCard } from '../../cards/escalation-cards.js';
import { askerOf, ticketAuditLine } from './audit.js';
import { clientCardFor, parseOwnView, reportFor, resultCardFor, sharedConversation } from './own-view.js';
import { parseResourceId } from '../engine/arm/resource-id.js';
import { handoverCard } from '../../cards/handover-cards.js';
import { NODE_IMAGE } from '../handover/run-commands.js';
import type { CliDownload } from '../handover/run-commands.js';
import { HandoverCodes } from './handover-codes.js';
import { receiveReport } from './report-intake.js';
import type { IntakeAnswer } from '../handover/protocol.js';
import { withoutBidiControls, withoutBidiControlsDeep } from '../engine/report/outside-text.js';

const UNSUPPORTED_INVOKE: InvokeResponse = { status: 400, body: { error: 'unsupported-invoke', message: 'this bot answers messages, card submits and its own cards\' refresh only' } };

/** How long a welcome is remembered in memory: enough for Teams' install activities that come together. */
const WELCOME_RACE_MS = 60_000;
/** How long the guided dialog waits for the asker's clusters before it goes on without asking. */
const CLUSTER_LIST_MS = 5000;

/** What the bot is made with: what a live diagnosis needs (the bot keeps the log itself), and the rest. */
export interface BotDeps extends Omit<LiveDiagnosisDeps, 'log' | 'download'> {
  allowedTenants: string[];
  /** Where conversation state (dialogs under way) lives; MemoryStorage when not given. */
  storage?: Storage;
  /** Tickets: the outbox and the sink behind it. */
  escalations: Escalations<Partial<ConversationReference>>;
  /** What users may choose (severities, subscriptions), and how many escalations one user may open in an hour. */
  escalationPolicy: EscalationPolicy & { perUserPerHour: number };
  /**
   * Hand-over to the failing machine: the bot's address as clients reach it, how long a code lives,
   * the AKS pod's image, and the SHA-256 of the acr-check file the bot serves (none: it serves none).
   */
  handover: { publicUrl: string; ttlMs: number; image?: string; cliSha256?: string };
  /** Teams single sign-on (ARM_ACCESS=user): the OAuth connection a diagnosis signs the asker in with. */
  sso?: { connectionName: string };
  /** Azure support tickets filed with the asker's rights: their credential, from their sign-in token. */
  ticketCredential?: (userToken: string) => Promise<TokenCredential>;
}

/** What a user typed or a card sent, without the bidirectional controls that could reorder what others read. */
function withoutBidiControlsIn(activity: Activity): void {
  if (typeof activity.text === 'string') activity.text = withoutBidiControls(activity.text);
  if (activity.value !== undefined) activity.value = withoutBidiControlsDeep(activity.value as unknown);
  if (typeof activity.from?.name === 'string') activity.from.name = withoutBidiControls(activity.from.name);
}

/** The Bot Framework token service, as CloudAdapter hands it to a turn: the user's token for a connection. */
interface UserTokens {
  getUserToken(userId: string, connectionName: string, channelId: string, magicCode: string): Promise<{ token?: string } | undefined>;
}

/** MemoryStorage's eTag error, or Blob Storage's 412: another writer saved first. */
function isWriteConflict(err: unknown): boolean {
  return (err as { statusCode?: unknown } | undefined)?.statusCode === 412 || (err instanceof Error && /eTag conflict/i.test(err.message));
}

export class AcrDoctorBot extends ActivityHandler {
  private readonly live: LiveDiagnoses;
  private readonly conversationState: ConversationState;
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  private readonly welcomed: StatePropertyAccessor<boolean>;
  /** Conversations welcomed by this instance: Teams' two install activities can arrive together, before either saved its state. */
  private readonly welcomedHere = new Set<string>();
  private readonly dialogs: DialogSet;
  private readonly log: DiagnosisLog;
  private readonly codes: HandoverCodes;
  /** New escalations per user (their Entra object id, else their channel id) in a sliding hour. */
  private readonly escalationsPerUser: RateLimit;
  /** Where failing machines fetch acr-check: this bot's address, the file's SHA-256, the AKS pod's image. */
  private readonly download: CliDownload;

  constructor(private readonly deps: BotDeps) {
    super();
    const storage = deps.storage ?? new MemoryStorage();
    this.conversationState = new ConversationState(storage);
    this.dialogState = this.conversationState.createProperty<DialogState>('dialogState');
    this.welcomed = this.conversationState.createProperty<boolean>('welcomed');
    this.log = new DiagnosisLog(storage);
    this.codes = new HandoverCodes(storage, deps.handover.ttlMs);
    this.escalationsPerUser = new RateLimit(deps.escalationPolicy.perUserPerHour, Date.now, 10_000, 60 * 60_000);
    const { publicUrl, image, cliSha256 } = deps.handover;
    this.download = { botUrl: publicUrl, image: image ?? NODE_IMAGE, ...(cliSha256 ? { sha256: cliSha256 } : {}) };
    this.live = new LiveDiagnoses({ ...deps, log: this.log, download: this.download });
    // The guided dialog's diagnosis reads as the asker when they signed in before (silently); acr-check signs them in.
    const startDiagnosis = async (context: TurnContext, asked: DiagnosisToRun): Promise<void> =>
      this.live.start(context, langOfLocale(context.activity.locale), asked, await this.silentToken(context));
    const clusters = (context: TurnContext, target: RegistryTarget) => this.readableClusters(context, target);
    this.dialogs = new DialogSet(this.dialogState).add(new DiagnoseDialog(startDiagnosis, clusters)).add(
      new EscalateDialog({
        findDiagnosis: async (context, options) => this.asSeenBy(context, await this.log.find(context.activity.conversation.id, options)),
        // In a channel, the summary everyone reads is the shared card's, even for the person who read Azure.
        shown: (context, diagnosis) => reportFor(diagnosis, sharedConversation(context.activity.conversation) ? undefined : askerOf(context.activity)),
        sink: deps.escalations.sink,
        policy: deps.escalationPolicy,
        existing: (key) => deps.escalations.find(key),
        submit: (context, request) => this.submit(context, request),
        startDiagnosis,
        clusters,
      }),
    );
    if (deps.sso) {
      this.dialogs.add(
        new SignInDialog(deps.sso.connectionName, (context, options, token) =>
          this.live.start(context, langOfLocale(context.activity.locale), { ...options, target: parseRegistryTarget(options.registry) }, token),
        ),
      );
    }
    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
    // Added to a team, a group chat or a personal scope: Teams sends the bot among membersAdded,
    // and often an installationUpdate too; one welcome per conversation.
    this.onMembersAdded(async (context, next) => {
      const recipient = context.activity.recipient?.id;
      if ((context.activity.membersAdded ?? []).some((m) => m.id === recipient)) await this.welcome(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.welcome(context);
      await next();
    });
  }

  /** The reason a registry was refused quotes what the user typed: in a card's text run, never as markdown. */
  private badRegistry(lang: Lang, key: string, params: Record<string, string>): Partial<Activity> {
    return cardActivity(noticeCard(lang, t(lang, 'bot.badRegistry', { reason: t(lang, key, params) })));
  }

  private async welcome(context: TurnContext): Promise<void> {
    const conversation = context.activity.conversation?.id ?? '';
    if (!this.tenantAllowed(context.activity) || this.welcomedHere.has(conversation)) return;
    this.welcomedHere.add(conversation);
    // Only the install activities that arrive together need it; after that the saved state answers.
    setTimeout(() => this.welcomedHere.delete(conversation), WELCOME_RACE_MS).unref();
    if (await this.welcomed.get(context, false)) return;
    await this.welcomed.set(context, true);
    await context.sendActivity(cardActivity(helpCard(langOfLocale(context.activity.locale), { welcome: true })));
  }

  /**
   * Our cards send messages (Action.Submit); the only invokes taken are single sign-on's and the
   * refresh of a card's own view. Any other (an Action.Execute of someone else's card, a messaging
   * extension) is refused with a reason, where botbuilder would answer 501.
   */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    // Single sign-on: Teams' token exchange and the sign-in card's answer go to the sign-in dialog.
    if (this.deps.sso && (context.activity.name === 'signin/tokenExchange' || context.activity.name === 'signin/verifyState')) {
      const dc = await this.dialogs.createContext(context);
      await dc.continueDialog();
      return { status: 200 };
    }
    if (context.activity.name === 'adaptiveCard/action') {
      const answer = await this.ownView(context);
      if (answer !== UNSUPPORTED_INVOKE) return answer;
    }
    this.deps.logger.info({ conversation: context.activity.conversation?.id, name: context.activity.name }, 'invoke refused: this bot takes messages only');
    return UNSUPPORTED_INVOKE;
  }

  /** Every turn ends by saving the conversation's state, so a dialog survives a restart with durable storage. */
  override async run(context: TurnContext): Promise<void> {
    withoutBidiControlsIn(context.activity);
    await super.run(context);
    try {
      await this.conversationState.saveChanges(context, false);
    } catch (err) {
      // Two turns of one conversation at once (a double click): the first to save wins, and the other
      // has already answered; its user needs no apology for a state it lost.
      if (!isWriteConflict(err)) throw err;
      this.deps.logger.warn({ conversation: context.activity.conversation?.id }, 'conversation state changed by a concurrent turn; this turn’s changes dropped');
    }
  }

  private async beginDialog(context: TurnContext, id: string, options: DiagnosisAsked | DiagnosisQuery): Promise<void> {
    const dc = await this.dialogs.createContext(context);
    await dc.cancelAllDialogs();
    await dc.beginDialog(id, options);
  }

  /**
   * A diagnosis as this user may have it: one whose Azure facts were read with another user's rights
   * is escalated without them (the rules re-run over the network evidence alone).
   */
  private asSeenBy(context: TurnContext, diagnosis: Diagnosis | undefined): Diagnosis | undefined {
    if (!diagnosis?.readBy || diagnosis.readBy === askerOf(context.activity).objectId) return diagnosis;
    return { vantage: diagnosis.vantage, report: reportFor(diagnosis, askerOf(context.activity)) };
  }

  /**
   * Teams asks for a card again as one viewer sees it (the refresh of a shared card whose Azure part
   * one person read): that person gets their view, anyone else the network checks'. Answered in
   * Universal Actions' terms: the card, or an error Teams keeps the card for.
   */
  private async ownView(context: TurnContext): Promise<InvokeResponse> {
    const asked = parseOwnView(context.activity.value);
    if (!asked) return UNSUPPORTED_INVOKE;
    const refused = (statusCode: number, code: string, message: string): InvokeResponse => ({ status: 200, body: { statusCode, type: 'application/vnd.microsoft.error', value: { code, message } } });
    if (!this.tenantAllowed(context.activity)) return refused(403, 'Forbidden', 'this tenant may not use this bot');
    const { conversation } = context.activity;
    const bot = await this.log.find(conversation.id, { diagnosisId: asked.diagnosis, vantage: 'bot' });
    const client = asked.client === undefined ? undefined : await this.log.find(conversation.id, { diagnosisId: asked.client, vantage: 'client' });
    if (!bot || (asked.client !== undefined && !client)) return refused(404, 'NotFound', 'this diagnosis is no longer kept here; run it again');
    const viewer = { ...askerOf(context.activity), ...(context.activity.from?.id ? { id: context.activity.from.id } : {}) };
    const card = client ? clientCardFor(client.report, bot, conversation, viewer) : resultCardFor(bot, conversation, this.download, viewer);
    return { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } };
  }

  /** The asker's token when they signed in before: no card, no prompt; undefined otherwise. */
  private async silentToken(context: TurnContext): Promise<string | undefined> {
    if (!this.deps.sso) return undefined;
    // CloudAdapter puts its token service client in the turn state under its own key.
    const key = (context.adapter as { UserTokenClientKey?: symbol }).UserTokenClientKey;
    const client = key ? context.turnState.get<UserTokens | undefined>(key) : undefined;
    const userId = context.activity.from?.id;
    if (!client || !userId) return undefined;
    try {
      return (await client.getUserToken(userId, this.deps.sso.connectionName, context.activity.channelId, ''))?.token;
    } catch (err) {
      this.deps.logger.warn({ error: errorLine(err) }, 'no silent sign-in: the token service did not answer');
      return undefined;
    }
  }

  /** Diagnoses in flight (for tests and health). */
  get running(): number {
    return this.live.size;
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const lang = langOfLocale(context.activity.locale);
    if (!this.tenantAllowed(context.activity)) return void (await context.sendActivity(t(lang, 'bot.notAllowed')));
    const submit = parseCardSubmit(context.activity.value);
    if (submit.invalid) return void (await context.sendActivity(t(lang, 'bot.staleCard')));
    // The same registry, and the same cluster when the diagnosis was of one.
    if (submit.verb === 'rerun' && submit.registry !== undefined) return this.acrCheck(context, lang, submit.aksCluster ? `${submit.registry} --aks-cluster ${submit.aksCluster}` : submit.registry);
    if (submit.verb === 'handover' && submit.diagnosis !== undefined) return this.handover(context, lang, submit.diagnosis);
    if (submit.verb === 'escalate') {
      let registry: string | undefined;
      try {
        registry = submit.registry === undefined ? undefined : parseRegistryTarget(submit.registry).loginServer;
      } catch (err) {
        if (!(err instanceof TargetError)) throw err;
        return void (await context.sendActivity(this.badRegistry(lang, err.key, err.params)));
      }
      return this.beginDialog(context, ESCALATE_DIALOG, { ...(submit.diagnosis !== undefined ? { diagnosisId: submit.diagnosis } : {}), ...(registry !== undefined ? { registry } : {}) });
    }
    // A card submit mentioning the bot has no text to take the mention out of.
    const text = typeof context.activity.text === 'string' ? (TurnContext.removeRecipientMention(context.activity) ?? context.activity.text) : '';
    const command = parseCommand(text);
    // A dialog under way gets the message first (its help and cancel included), unless a new command starts over.
    if (!command.name || command.name === 'help' || command.name === 'cancel') {
      const dc = await this.dialogs.createContext(context);
      if (dc.activeDialog) {
        context.activity.text = text;
        const result = await dc.continueDialog();
        if (result.status !== DialogTurnStatus.empty) return;
      }
    }
    if (submit.verb?.startsWith('escalation.') && submit.escalation !== undefined) return this.staleConfirmation(context, lang, submit.escalation);
    switch (command.name) {
      case 'acr-check':
        return this.acrCheck(context, lang, command.rest);
      case 'help':
        return void (await context.sendActivity(cardActivity(helpCard(lang))));
      case 'diagnose':
        return this.beginDialog(context, DIAGNOSE_DIALOG, this.knownFrom(command.rest));
      case 'cancel':
        return void (await context.sendActivity(t(lang, 'dialog.cancelled')));
      case 'escalate':
        return this.escalate(context, lang, command.rest);
      default:
        return this.freeText(context, lang, command.rest);
    }
  }

  private tenantAllowed(activity: Activity): boolean {
    if (this.deps.allowedTenants.length === 0 || this.deps.allowedTenants.includes('*')) return true;
    const channelTenant = (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
    const tenant = activity.conversation?.tenantId ?? channelTenant;
    return tenant !== undefined && this.deps.allowedTenants.includes(tenant);
  }

  /** `acr-check <registry> [symptom words]` */
  private async acrCheck(context: TurnContext, lang: Lang, rest: string): Promise<void> {
    const [first = '', ...words] = rest.trim().split(/\s+/);
    let target: RegistryTarget;
    try {
      target = parseRegistryTarget(first);
    } catch (err) {
      if (!(err instanceof TargetError)) throw err;
      return void (await context.sendActivity(this.badRegistry(lang, err.key, err.params)));
    }
    const said = understand(words.join(' '));
    const asked = { symptoms: said.symptoms, ...(said.client ? { client: said.client } : {}), ...(said.aksCluster ? { aksCluster: said.aksCluster } : {}) };
    if (this.deps.sso) return this.beginDialog(context, SIGN_IN_DIALOG, { registry: target.loginServer, ...asked });
    await this.live.start(context, lang, { target, ...asked });
  }

  /** `escalate [registry]`: the escalation dialog for that registry's last diagnosis, or the last one. */
  private async escalate(context: TurnContext, lang: Lang, rest: string): Promise<void> {
    const words = rest.trim();
    if (!words) return this.beginDialog(context, ESCALATE_DIALOG, {});
    try {
      return await this.beginDialog(context, ESCALATE_DIALOG, { registry: parseRegistryTarget(words.split(/\s+/)[0]!).loginServer });
    } catch (err) {
      if (!(err instanceof TargetError)) throw err;
      return void (await context.sendActivity(this.badRegistry(lang, err.key, err.params)));
    }
  }

  /** The escalation's outbox takes the request; the user sees where it stands (created, pending, failed). */
  private async submit(context: TurnContext, request: TicketRequest): Promise<void> {
    const lang = langOfLocale(context.activity.locale);
    // Filed with the asker's own Azure rights: only once they are signed in.
    let credential: (() => Promise<TokenCredential>) | undefined;
    if (this.deps.ticketCredential) {
      const token = await this.silentToken(context);
      if (!token) return void (await context.sendActivity(t(lang, 'escalation.signInFirst')));
      const make = this.deps.ticketCredential;
      credential = () => make(token);
    }
    // Only new escalations count: confirming one already filed (a double click) answers its ticket.
    if (!(await this.deps.escalations.find(request.key))) {
      const { from } = context.activity;
      const wait = this.escalationsPerUser.take(from?.aadObjectId ?? from?.id ?? '');
      if (wait !== undefined) {
        this.deps.logger.warn({ user: from?.aadObjectId ?? from?.id, key: request.key }, 'escalation refused: too many from this user this hour');
        const count = String(this.deps.escalationPolicy.perUserPerHour);
        return void (await context.sendActivity(cardActivity(noticeCard(lang, t(lang, 'escalation.tooMany', { count, minutes: String(Math.ceil(wait / 60)) })))));
      }
    }
    const escalation = await this.deps.escalations.submit(request, TurnContext.getConversationReference(context.activity), credential);
    this.deps.logger.info(ticketAuditLine(askerOf(context.activity), escalation), 'audit: ticket');
    await context.sendActivity(cardActivity(ticketCard(lang, escalation)));
  }

  /** A summary card's button pressed again after its dialog ended (a double click): the ticket as it stands. */
  private async staleConfirmation(context: TurnContext, lang: Lang, key: string): Promise<void> {
    const conversation = context.activity.conversation.id;
    const found: Escalation<Partial<ConversationReference>> | undefined = await this.deps.escalations.find(key);
    // Another conversation's escalation gets the same neutral answer as none at all.
    if (found?.reference.conversation?.id === conversation) return void (await context.sendActivity(cardActivity(ticketCard(lang, found, t(lang, 'escalation.already')))));
    // Not in this instance's outbox: another instance may have filed it. Only a key of one of this
    // conversation's diagnoses is looked up, in the subscription the bot found its registry in.
    const diagnosis = await this.log.findByTicketKey(conversation, key);
    const ticket = diagnosis && (await this.deps.escalations.lookup(key, parseResourceId(diagnosis.report.facts.resourceId ?? '')?.subscriptionId));
    if (!diagnosis || !ticket) return void (await context.sendActivity(t(lang, 'escalation.cancelled')));
    await context.sendActivity(cardActivity(foundTicketCard(lang, ticket, diagnosis.report.registry.loginServer, t(lang, 'escalation.already'))));
  }

  /** "Run it from the failing machine": a one-time code for this conversation and diagnosis, and the commands. */
  private async handover(context: TurnContext, lang: Lang, diagnosisId: string): Promise<void> {
    const found = await this.log.find(context.activity.conversation.id, { diagnosisId, vantage: 'bot' });
    if (!found) return void (await context.sendActivity(t(lang, 'handover.noDiagnosis')));
    const { handover } = this.deps;
    // An authenticated bot that does not know its public address shows none (never a loopback one).
    if (!handover.publicUrl) return void (await context.sendActivity(t(lang, 'handover.noPublicUrl')));
    const { code } = await this.codes.issue({ diagnosisId, loginServer: found.report.registry.loginServer, lang, conversation: TurnContext.getConversationReference(context.activity) });
    // The pod runs in the diagnosis's cluster, when this conversation may see which one it is.
    const shown = reportFor(found, sharedConversation(context.activity.conversation) ? undefined : askerOf(context.activity));
    await context.sendActivity(cardActivity(handoverCard(lang, found.report.registry.name, this.download, code, Math.round(handover.ttlMs / 60_000), podClusterOf(shown))));
  }

  /** A report from `acr-check --send` (POST /api/reports), into the conversation its code names. */
  receiveReport(body: unknown): Promise<IntakeAnswer> {
    return receiveReport(body, {
      codes: this.codes,
      log: this.log,
      logger: this.deps.logger,
      post: (conversation, card) => this.deps.continueConversation(conversation, async (ctx) => void (await ctx.sendActivity(cardActivity(card)))),
    });
  }

  /** What a message already tells the guided dialog. */
  private knownFrom(text: string): DiagnosisAsked {
    const said = understand(text);
    return {
      ...(said.registry ? { registry: said.registry.loginServer } : {}),
      ...(said.symptoms.length ? { symptoms: said.symptoms } : {}),
      ...(said.client ? { client: said.client } : {}),
      ...(said.aksCluster ? { aksCluster: said.aksCluster } : {}),
    };
  }

  /**
   * The AKS clusters the asker may read, for the guided dialog to offer: read as ARM is read for them
   * (their own rights, or the bot's within their scopes); none when ARM is not read for them, or the
   * list does not come within CLUSTER_LIST_MS.
   */
  private async readableClusters(context: TurnContext, target: RegistryTarget): Promise<{ id: string; name: string }[] | 'typed'> {
    const token = await this.silentToken(context);
    const access = this.deps.azure(target, askerOf(context.activity), token);
    if (!access.arm) return [];
    try {
      const clusters = await readableClusters(await access.arm.api(), access.arm.subscription, AbortSignal.timeout(CLUSTER_LIST_MS));
      // Read with one person's rights, their clusters are not for everyone in a channel or group chat to see.
      const personal = this.deps.armMode === 'user' && token !== undefined && sharedConversation(context.activity.conversation);
      return personal && clusters.length > 0 ? 'typed' : clusters;
    } catch (err) {
      this.deps.logger.info({ error: errorLine(err) }, 'no clusters to offer: ARM did not list them');
      return [];
    }
  }

  /** "AKS can't pull from myregistry", or a pasted error: the guided dialog, with what it understood. */
  private async freeText(context: TurnContext, lang: Lang, text: string): Promise<void> {
    const said = understand(text);
    if (said.rejected && !said.registry) return void (await context.sendActivity(this.badRegistry(lang, said.rejected.key, said.rejected.params)));
    if (said.registry || said.symptoms.length > 0) return this.beginDialog(context, DIAGNOSE_DIALOG, this.knownFrom(text));
    await context.sendActivity(cardActivity(helpCard(lang)));
  }
}
