/**
 * Adaptive Cards (1.5, Teams' limit) from the templates in cards/, rendered with
 * adaptivecards-templating. Each template's data model is declared here, beside the one function
 * that expands templates. Cards only present a report; they never decide anything.
 *
 * Teams reads a TextBlock's text and a FactSet's values as markdown (and some HTML). A text that can
 * carry anything from outside (a DNS name, a certificate's issuer, an error message, ACR's answer,
 * an uploaded report) goes into a TextRun of a RichTextBlock, which no client reads as markdown;
 * TextBlocks and FactSets hold only our own texts.
 */
import { verdictKey } from '../src/engine/report/render.js';
import * as ACData from 'adaptivecards-templating';
import progressTemplate from './progress.json' with { type: 'json' };
import resultTemplate from './result.json' with { type: 'json' };
import helpTemplate from './help.json' with { type: 'json' };
import noticeTemplate from './notice.json' with { type: 'json' };
import { isolate, isRtl, t } from '../src/engine/i18n/i18n.js';
import { knowledge } from '../src/engine/knowledge/knowledge.js';
import type { ProgressView } from '../src/engine/report/progress-view.js';
import type { Lang, Report } from '../src/engine/report/types.js';
import { presented, vantageText, type Vantage } from './vantage-texts.js';
import { podName, runCommands, type CliDownload, type PodCluster, type Shell } from '../src/handover/run-commands.js';
import { parseResourceId } from '../src/engine/arm/resource-id.js';
import { isAksCluster } from '../src/engine/target/aks-cluster.js';

export type { Vantage } from './vantage-texts.js';

export type Card = Record<string, unknown>;

/** The one place templates are expanded. */
export function expand(template: object, data: object): Card {
  return new ACData.Template(template).expand({ $root: data }) as Card;
}

export const VERDICT_STYLE: Record<Report['verdict'], string> = { healthy: 'good', problem: 'attention', inconclusive: 'warning' };

export interface ProgressCardData {
  lang: Lang;
  rtl: boolean;
  title: string;
  status: string;
  /** The checks not done yet, named: a run is never shown as complete while one still runs. */
  pending: string;
  checks: { mark: string; title: string }[];
}

/** While a diagnosis runs: how many of the planned checks finished, how, and which are still running. */
/** `queuedAhead`: diagnoses waiting before this one for a place to run (none: it runs). */
export function progressCard(lang: Lang, loginServer: string, view: ProgressView, queuedAhead = 0): Card {
  const data: ProgressCardData = {
    lang,
    rtl: isRtl(lang),
    title: t(lang, 'card.progressTitle', { loginServer }),
    status: t(lang, 'card.progressStatus', { done: String(view.done), total: String(view.total) }),
    pending: queuedAhead > 0 ? t(lang, 'card.progressQueued', { ahead: String(queuedAhead) }) : view.pending.length > 0 ? t(lang, 'card.progressRunning', { names: view.pending.join(', ') }) : '',
    // Words, not emoji: they read the same in every client and font, in every language.
    checks: view.finished.map((c) => ({ mark: t(lang, `status.${c.status}`), title: c.title })),
  };
  return expand(progressTemplate, data);
}

export interface ResultCardData {
  lang: Lang;
  rtl: boolean;
  registry: string;
  /** The report's id: Escalate attaches exactly this diagnosis. */
  diagnosis: string;
  verdict: string;
  verdictStyle: string;
  summary: string;
  findings: { title: string; meta: string; explanation: string; evidence: string; fixes: { title: string; commands: string[]; docs: string[] }[] }[];
  vantage: string;
  /** What was read of the AKS cluster's side ('' when none was asked about, or it may not be shown). */
  cluster: string;
  /** The cluster asked about, for the re-run ('' for none). */
  aksCluster: string;
  runHere: string;
  /** The commands for the failing machine, or why there are none; how to have its result posted here. */
  runCommands: CommandOnCard[];
  runNone: string;
  runChecked: string;
  runSend: string;
  checks: { status: string; title: string; detail: string }[];
  labels: { rerun: string; handover: string; showChecks: string; escalate: string };
}

export const MAX_FINDINGS_ON_CARD = 3;

/**
 * The AKS cluster a report read, for the pod command to run in; none when it read none (or may not
 * show it), or when its id is not a cluster's (an uploaded report's facts are never pasted as they come).
 */
export function podClusterOf(report: Pick<Report, 'facts'>): PodCluster | undefined {
  const aks = report.facts.aks;
  const id = aks && isAksCluster(aks.id) ? parseResourceId(aks.id) : undefined;
  const name = id?.path[0]?.[1];
  return id && name ? { subscriptionId: id.subscriptionId, resourceGroup: id.resourceGroup, name } : undefined;
}

/** The cluster a report was asked about: the one read, else the one named to its ARM check; '' for none. */
export function askedCluster(report: Pick<Report, 'facts' | 'checks'>): string {
  const named = report.checks.find((c) => c.id === 'arm.aks')?.data.cluster;
  const cluster = report.facts.aks?.id ?? (typeof named === 'string' ? named : '');
  return isAksCluster(cluster) ? cluster : '';
}

/** What the failing machine runs: the same checks, with the symptom and client the conversation established. */
export function runArgs(report: Pick<Report, 'registry' | 'symptoms' | 'client'>): string[] {
  return [report.registry.name, ...report.symptoms.flatMap((s) => ['--symptom', s]), ...(report.client.kind ? ['--client', report.client.kind] : [])];
}

export interface CommandOnCard {
  label: string;
  command: string;
}

/** The commands for the failing machine as a card shows them (`shells` of bash, PowerShell, an AKS pod), or the reason there are none. */
export function commandsOnCard(
  lang: Lang,
  download: CliDownload,
  args: string[],
  pod: string,
  shells: readonly Shell[] = SHELLS,
  cluster?: PodCluster,
): { commands: CommandOnCard[]; none: string; checked: string } {
  const run = runCommands(download, args, pod, cluster);
  if ('none' in run) return { commands: [], none: t(lang, run.none === 'no-file' ? 'fetchCli.noFile' : 'fetchCli.noAddress'), checked: '' };
  const shown = run.commands.filter((c) => shells.includes(c.shell));
  return { commands: shown.map((c) => ({ label: t(lang, `fetchCli.${c.shell}`), command: c.command })), none: '', checked: t(lang, 'fetchCli.checked') };
}

const SHELLS: readonly Shell[] = ['bash', 'powershell', 'aks'];

/**
 * The result card shows the commands where the client runs: in AKS the pod's (which tests pod DNS
 * and egress), elsewhere bash's and PowerShell's. The hand-over card has all three.
 */
function shellsFor(client: Report['client']): readonly Shell[] {
  return client.kind === 'aks' ? ['aks'] : ['bash', 'powershell'];
}

/** `download`: where failing machines fetch acr-check from this bot (the run-here commands). */
/** `asUser`: Azure was read with the asker's own rights (single sign-on). */
export function resultCard(shown: Report, vantage: Vantage, download: CliDownload, asUser = false): Card {
  const report = presented(shown, vantage, asUser);
  const { lang } = report;
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const seconds = (report.durationMs / 1000).toFixed(2);
  const run = commandsOnCard(lang, download, runArgs(report), podName(report.registry.name), shellsFor(report.client), podClusterOf(report));
  // What was read on the cluster's side, in view (not among the hidden checks): the cluster is half the question.
  const clusterCheck = report.checks.find((c) => c.id === 'arm.aks' && c.status !== 'skip');
  const data: ResultCardData = {
    lang,
    rtl: isRtl(lang),
    registry: report.registry.name,
    diagnosis: report.id,
    verdict: vantageText(lang, vantage, verdictKey(report), { loginServer: report.registry.loginServer }),
    verdictStyle: VERDICT_STYLE[report.verdict],
    summary:
      failed === 0
        ? t(lang, 'card.summaryHealthy', { count: String(report.checks.length), seconds })
        : t(lang, 'card.summaryProblem', { failed: String(failed), count: String(report.checks.length), seconds }),
    findings: report.findings.slice(0, MAX_FINDINGS_ON_CARD).map((f) => ({
      title: f.title,
      meta: t(lang, 'card.meta', { cause: f.cause, confidence: t(lang, `confidenceLevel.${f.confidence}`) }),
      explanation: f.explanation,
      evidence: f.evidence.length > 0 ? t(lang, 'card.evidence', { ids: f.evidence.join(', ') }) : '',
      // A doc is a markdown link on the card, so only our own links from knowledge.json are shown, never a report's.
      fixes: f.fixes.map((x) => ({ title: x.title, commands: x.commands, docs: (x.id && knowledge.fixes[x.id]?.docs.filter((d) => x.docs.includes(d))) || [] })),
    })),
    vantage: vantage === 'bot' ? t(lang, 'card.vantageBot') : t(lang, 'card.vantageClient', { hostname: report.client.hostname ?? '-' }),
    cluster: clusterCheck ? t(lang, 'card.cluster', { detail: clusterCheck.detail }) : '',
    aksCluster: askedCluster(report),
    runHere: t(lang, 'card.runHere'),
    runCommands: run.commands,
    runNone: run.none,
    runChecked: run.checked,
    runSend: run.commands.length > 0 ? t(lang, 'fetchCli.sendHere') : '',
    checks: report.checks.map((c) => ({ status: t(lang, `status.${c.status}`), title: c.title, detail: c.detail })),
    labels: { rerun: t(lang, 'card.rerun'), handover: t(lang, 'card.handover'), showChecks: t(lang, 'card.showChecks'), escalate: t(lang, 'card.escalate') },
  };
  return expand(resultTemplate, data);
}

export interface HelpCardData {
  lang: Lang;
  rtl: boolean;
  /** Set when the bot has just been added: a greeting above the commands. */
  welcome: string;
  title: string;
  commands: { name: string; description: string }[];
  example: string;
}

const HELP_COMMANDS = ['acr-check', 'diagnose', 'escalate', 'help'] as const;

/**
 * What the bot can do. Each command is a RichTextBlock of TextRuns, which no client reads as
 * markdown or HTML: in a TextBlock, Teams takes `<registry>` for a tag and shows nothing.
 */
/** The help card depends on the language alone: expanded once per language and kind, not on every `help`. */
const helpCards = new Map<string, Card>();

export function helpCard(lang: Lang, options: { welcome?: boolean } = {}): Card {
  const key = `${lang}|${options.welcome ? 'welcome' : 'help'}`;
  let card = helpCards.get(key);
  if (!card) helpCards.set(key, (card = expandHelpCard(lang, options)));
  return structuredClone(card);
}

function expandHelpCard(lang: Lang, options: { welcome?: boolean }): Card {
  const data: HelpCardData = {
    lang,
    rtl: isRtl(lang),
    welcome: options.welcome ? t(lang, 'card.welcome') : '',
    title: t(lang, 'card.helpTitle'),
    commands: HELP_COMMANDS.map((name) => ({
      // The command as typed, left to right even in an Arabic line.
      name: isRtl(lang) ? isolate(name) : name,
      description: `${name === 'acr-check' ? ` ${t(lang, 'card.helpArgs')}` : ''}: ${t(lang, `card.helpCommands.${name}`)}`,
    })),
    example: t(lang, 'card.helpExample'),
  };
  return expand(helpTemplate, data);
}

export interface NoticeCardData {
  lang: Lang;
  rtl: boolean;
  text: string;
}

/**
 * A reply that quotes what someone typed. Teams reads a plain message as markdown, so in a group
 * chat `[x](https://evil)` typed to the bot would come back as the bot's link; in a TextRun it is text.
 */
export function noticeCard(lang: Lang, text: string): Card {
  const data: NoticeCardData = { lang, rtl: isRtl(lang), text };
  return expand(noticeTemplate, data);
}
