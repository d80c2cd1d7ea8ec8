/**
 * The texts of the bot's own probes. The engine words a report for the machine it ran on ("this
 * machine", "run az login"); run by the bot, that machine is the bot, so the card says "the bot's
 * network" and what the bot's operator must grant. Only the wording changes: the outcome, the
 * finding and its parameters stay the engine's.
 */
import { has, t } from '../src/engine/i18n/i18n.js';
import { findingKey, inWords, outcomeKey, textParams } from '../src/engine/report/render.js';
import type { Check, Finding, Lang, Report } from '../src/engine/report/types.js';

/** Where the checks ran: the bot's own network, or the failing machine that sent its report. */
export type Vantage = 'bot' | 'client';

/** The text for `key`, in the bot's own words when the checks ran from the bot and it has some. */
export function vantageText(lang: Lang, vantage: Vantage, key: string, params: Record<string, string> = {}): string {
  return vantage === 'bot' && has(lang, `botView.${key}`) ? t(lang, `botView.${key}`, params) : t(lang, key, params);
}

/** The bot's own words for a text the engine rendered, or that text as it was. */
function reworded(lang: Lang, vantage: Vantage, key: string, params: Record<string, string>, rendered: string): string {
  return vantage === 'bot' && has(lang, `botView.${key}`) ? t(lang, `botView.${key}`, params) : rendered;
}

/**
 * Read as the asker (single sign-on), what Azure refused was refused to them: the words say their
 * rights, and the role that would let them read, not what the bot's operator should grant the bot.
 */
function check(lang: Lang, vantage: Vantage, c: Check, asUser: boolean): Check {
  const key = outcomeKey(c.outcome);
  const params = inWords(lang, textParams(c.data, c.error));
  if (asUser && has(lang, `userView.${key}`)) return { ...c, detail: t(lang, `userView.${key}`, params) };
  return { ...c, detail: reworded(lang, vantage, key, params, c.detail) };
}

function finding(lang: Lang, vantage: Vantage, f: Finding): Finding {
  return {
    ...f,
    title: reworded(lang, vantage, `${findingKey(f)}.title`, inWords(lang, f.params), f.title),
    explanation: reworded(lang, vantage, `${findingKey(f)}.explanation`, inWords(lang, f.params), f.explanation),
    // A fix is known by the id it carries; one without (a report of an earlier version) keeps its words.
    fixes: f.fixes.map((fix) => (fix.id ? { ...fix, title: reworded(lang, vantage, `fixes.${fix.id}`, f.params, fix.title) } : fix)),
  };
}

/** The report as a card presents it from this vantage; `asUser`: Azure was read with the asker's own rights. */
export function presented(report: Report, vantage: Vantage, asUser = false): Report {
  if (vantage !== 'bot') return report;
  const { lang } = report;
  return { ...report, checks: report.checks.map((c) => check(lang, vantage, c, asUser)), findings: report.findings.map((f) => finding(lang, vantage, f)) };
}
