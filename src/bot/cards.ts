/**
 * Adaptive Cards (1.5, Teams' limit) from the templates in cards/, rendered with
 * adaptivecards-templating. Each template's data model is declared here, beside the one function
 * that expands templates. Cards only present a report; they never decide anything.
 */
import * as ACData from 'adaptivecards-templating';
import progressTemplate from '../../cards/progress.json' with { type: 'json' };
import resultTemplate from '../../cards/result.json' with { type: 'json' };
import helpTemplate from '../../cards/help.json' with { type: 'json' };
import { isRtl, t } from '../i18n/i18n.js';
import type { Check, Lang, Report } from '../report/types.js';

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
  checks: { mark: string; title: string }[];
}

/** While a diagnosis runs: which checks finished, and how. */
export function progressCard(lang: Lang, loginServer: string, finished: Pick<Check, 'status' | 'title'>[], total: number): Card {
  const data: ProgressCardData = {
    lang,
    rtl: isRtl(lang),
    title: t(lang, 'card.progressTitle', { loginServer }),
    status: t(lang, 'card.progressStatus', { done: String(finished.length), total: String(Math.max(total, finished.length)) }),
    // Words, not emoji: they read the same in every client and font, in every language.
    checks: finished.map((c) => ({ mark: t(lang, `status.${c.status}`), title: c.title })),
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
  runHere: string;
  runCommand: string;
  checks: { status: string; title: string; detail: string }[];
  labels: { rerun: string; handover: string; showChecks: string; escalate: string };
}

/** Where the checks ran: the bot's own network, or the failing machine that sent its report. */
export type Vantage = 'bot' | 'client';

export const MAX_FINDINGS_ON_CARD = 3;

export function resultCard(report: Report, vantage: Vantage): Card {
  const { lang } = report;
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const seconds = (report.durationMs / 1000).toFixed(2);
  const data: ResultCardData = {
    lang,
    rtl: isRtl(lang),
    registry: report.registry.name,
    diagnosis: report.id,
    verdict: t(lang, `cli.verdict.${report.verdict}`, { loginServer: report.registry.loginServer }),
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
      fixes: f.fixes.map((x) => ({ title: x.title, commands: x.commands, docs: x.docs })),
    })),
    vantage: vantage === 'bot' ? t(lang, 'card.vantageBot') : t(lang, 'card.vantageClient', { hostname: report.client.hostname ?? '-' }),
    runHere: t(lang, 'card.runHere'),
    runCommand: `npx acr-check ${report.registry.name}${report.symptoms.map((s) => ` --symptom ${s}`).join('')}`,
    checks: report.checks.map((c) => ({ status: t(lang, `status.${c.status}`), title: c.title, detail: c.detail })),
    labels: { rerun: t(lang, 'card.rerun'), handover: t(lang, 'card.handover'), showChecks: t(lang, 'card.showChecks'), escalate: t(lang, 'card.escalate') },
  };
  return expand(resultTemplate, data);
}

export interface HelpCardData {
  lang: Lang;
  rtl: boolean;
  title: string;
  commands: string;
  example: string;
}

export function helpCard(lang: Lang): Card {
  const data: HelpCardData = { lang, rtl: isRtl(lang), title: t(lang, 'card.helpTitle'), commands: t(lang, 'card.helpCommands'), example: t(lang, 'card.helpExample') };
  return expand(helpTemplate, data);
}
