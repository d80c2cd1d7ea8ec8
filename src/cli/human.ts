/** The human-readable report: verdict first, then findings with fixes, then the checks table. */
import { verdictKey } from '../engine/report/render.js';
import { createColors } from 'picocolors';
import { ownDirection as ltr, t } from '../engine/i18n/i18n.js';
import type { Check, Finding, Report } from '../engine/report/types.js';

type Colors = ReturnType<typeof createColors>;

const STATUS_COLOR = { pass: 'green', fail: 'red', warn: 'yellow', skip: 'dim' } as const;
const VERDICT_COLOR = { healthy: 'green', problem: 'red', inconclusive: 'yellow' } as const;

/** Visible width, counting each code point once (enough for Latin, Cyrillic and Arabic). */
const width = (s: string): number => [...s].length;
const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(0, n - width(s)));

export function renderHuman(report: Report, color: boolean): string {
  const c = createColors(color);
  const { lang } = report;
  const lines: string[] = [];
  lines.push(c.bold(c[VERDICT_COLOR[report.verdict]](t(lang, verdictKey(report), { loginServer: report.registry.loginServer }))));
  lines.push('');
  const real = report.findings.filter((f) => f.confidence !== 'low' || report.verdict !== 'healthy');
  const hints = report.findings.filter((f) => !real.includes(f));
  if (real.length > 0) {
    lines.push(c.bold(t(lang, 'cli.findings')));
    real.forEach((finding, index) => lines.push(...renderFinding(c, report, finding, index + 1)));
  } else {
    lines.push(t(lang, 'cli.noFindings'));
  }
  if (hints.length > 0) {
    lines.push('', c.bold(t(lang, 'cli.symptomHint')));
    hints.forEach((finding, index) => lines.push(...renderFinding(c, report, finding, index + 1)));
  }
  lines.push('', c.bold(t(lang, 'cli.checks')));
  lines.push(...renderChecks(c, report));
  lines.push('');
  if (report.client.proxy) lines.push(t(lang, 'cli.proxyNote', { proxy: report.client.proxy }));
  lines.push(
    c.dim(
      t(lang, 'cli.took', {
        count: String(report.checks.length),
        seconds: (report.durationMs / 1000).toFixed(2),
        budget: String(report.budgetMs / 1000),
      }),
    ),
  );
  return `${lines.join('\n')}\n`;
}

function renderFinding(c: Colors, report: Report, finding: Finding, number: number): string[] {
  const { lang } = report;
  const lines = [
    `${String(number).padStart(2)}. ${c.bold(finding.title)}`,
    `    ${c.dim(`${t(lang, 'cli.cause')}: ${ltr(lang, finding.cause)}, ${t(lang, 'cli.confidence')}: ${t(lang, `confidenceLevel.${finding.confidence}`)}`)}`,
    `    ${finding.explanation}`,
  ];
  if (finding.evidence.length > 0) lines.push(`    ${c.dim(`${t(lang, 'cli.evidence')}: ${ltr(lang, finding.evidence.join(', '))}`)}`);
  for (const fix of finding.fixes) {
    lines.push(`    ${c.cyan(`${t(lang, 'cli.fix')}:`)} ${fix.title}`);
    for (const command of fix.commands) lines.push(`      ${c.bold(ltr(lang, `$ ${command}`))}`);
    for (const doc of fix.docs) lines.push(`      ${c.dim(`${t(lang, 'cli.docs')}: ${ltr(lang, doc)}`)}`);
  }
  return lines;
}

function renderChecks(c: Colors, report: Report): string[] {
  const titleWidth = Math.min(48, Math.max(...report.checks.map((check) => width(check.title))));
  const statusWidth = Math.max(...report.checks.map((check) => width(t(report.lang, `status.${check.status}`))));
  return report.checks.map((check: Check) => {
    const status = pad(t(report.lang, `status.${check.status}`), statusWidth);
    const ms = ltr(report.lang, `${check.durationMs} ms`);
    return `  ${c[STATUS_COLOR[check.status]](status)}  ${pad(check.title, titleWidth)}  ${check.detail}  ${c.dim(ms)}`;
  });
}
