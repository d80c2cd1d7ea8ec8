/**
 * The hand-over's cards: the one-time code with the commands to run on the failing machine, and
 * the client's report when it comes back, beside the bot's view. Everything the upload carries is
 * shown through TextRuns, which Adaptive Cards never read as markdown: an uploaded hostname such as
 * `[click](https://evil)` stays text.
 */
import { verdictKey } from '../src/engine/report/render.js';
import handoverTemplate from './handover.json' with { type: 'json' };
import clientReportTemplate from './client-report.json' with { type: 'json' };
import { isRtl, t } from '../src/engine/i18n/i18n.js';
import type { ClientView } from '../src/engine/report/vantages.js';
import type { Lang, Report } from '../src/engine/report/types.js';
import { podName, type CliDownload, type PodCluster } from '../src/handover/run-commands.js';
import { commandsOnCard, expand, VERDICT_STYLE, type Card, type CommandOnCard } from './cards.js';

export interface HandoverCardData {
  lang: Lang;
  rtl: boolean;
  title: string;
  intro: string;
  code: string;
  /** Each shell's command, under its label; none when the bot has nothing to hand out. */
  commands: CommandOnCard[];
  /** Why there are no commands ('' when there are), and what the commands do ('' when there are none). */
  none: string;
  checked: string;
}


/**
 * The one-time code, and the commands that fetch acr-check from this bot and send its report back
 * with it. `cluster`: the AKS cluster the diagnosis read, where the pod command runs.
 */
export function handoverCard(lang: Lang, registry: string, download: CliDownload, code: string, minutes: number, cluster?: PodCluster): Card {
  const data: HandoverCardData = {
    lang,
    rtl: isRtl(lang),
    title: t(lang, 'handover.title'),
    intro: t(lang, 'handover.intro', { minutes: String(minutes) }),
    code: t(lang, 'handover.code', { code }),
    ...commandsOnCard(lang, download, [registry, '--send', download.botUrl, '--code', code], podName(code), undefined, cluster),
  };
  return expand(handoverTemplate, data);
}

/** Uploaded text, bounded: a card stays under Teams' size limit whatever a report holds. */
const bound = (text: string, max = 400): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export interface ClientReportCardData {
  lang: Lang;
  rtl: boolean;
  registry: string;
  diagnosis: string;
  title: string;
  verdictStyle: string;
  sentBy: string;
  noDifferences: string;
  differences: { title: string; there: string; here: string }[];
  noFindings: string;
  findings: { title: string; explanation: string; commands: string[] }[];
  checks: { status: string; title: string; detail: string }[];
  labels: { differences: string; there: string; here: string; findings: string; showChecks: string; escalate: string };
}

/** The failing machine's view: its verdict and causes (rules re-run), and where it differs from the bot's. */
export function clientReportCard(lang: Lang, client: Report, view: ClientView, withBotView: boolean): Card {
  const loginServer = client.registry.loginServer;
  const data: ClientReportCardData = {
    lang,
    rtl: isRtl(lang),
    registry: client.registry.name,
    diagnosis: client.id,
    title: t(lang, 'clientReport.title', { verdict: t(lang, verdictKey(view), { loginServer }) }),
    verdictStyle: VERDICT_STYLE[view.verdict],
    sentBy: bound(t(lang, 'clientReport.sentBy', { version: client.tool.version, hostname: client.client.hostname ?? '-', platform: client.client.platform, time: client.startedAt })),
    noDifferences: withBotView ? t(lang, 'clientReport.noDifferences') : t(lang, 'clientReport.noBotView'),
    differences: view.differences.slice(0, 8).map((d) => ({ title: d.title, there: bound(d.there || t(lang, 'clientReport.nothing')), here: bound(d.here || t(lang, 'clientReport.nothing')) })),
    noFindings: t(lang, 'cli.noFindings'),
    findings: view.findings.slice(0, 3).map((f) => ({ title: bound(f.title), explanation: bound(f.explanation, 800), commands: f.fixes.flatMap((x) => x.commands).slice(0, 4).map((c) => bound(c)) })),
    checks: view.checks.slice(0, 40).map((c) => ({ status: t(lang, `status.${c.status}`), title: bound(c.title, 120), detail: bound(c.detail, 300) })),
    labels: {
      differences: t(lang, 'clientReport.differences'),
      there: t(lang, 'clientReport.there'),
      here: t(lang, 'clientReport.here'),
      findings: t(lang, 'clientReport.findings'),
      showChecks: t(lang, 'card.showChecks'),
      escalate: t(lang, 'card.escalate'),
    },
  };
  return expand(clientReportTemplate, data);
}
