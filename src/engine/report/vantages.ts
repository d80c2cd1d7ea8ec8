/**
 * Two vantages of one registry: the failing client's report and the bot's own. The client's
 * evidence is taken back out of its report and the rules re-run over it with every fact either
 * side read (the bot may read ARM where the client cannot), and the checks are set side by side
 * where the two saw different things (DNS 10.0.0.7 there, 20.x here; denied there, allowed here).
 */
import type { Evidence } from '../probes/evidence.js';
import { evaluate, verdictOf } from '../rules/evaluate.js';
import { parseRegistryTarget } from '../target/registry-target.js';
import { has } from '../i18n/i18n.js';
import { renderCheck, renderFinding } from './render.js';
import type { Check, Finding, Lang, Report, Verdict } from './types.js';

/** A check's kind is its id before the first `:` (`tcp:10.0.0.7` → `tcp`). */
const kindOf = (id: string): string => id.split(':')[0]!;

/** The evidence a report was made from (checks of a kind this version does not know are left out). */
export function evidenceOf(report: Report): Evidence[] {
  return report.checks
    .filter((c) => has('en', `checks.${kindOf(c.id)}`))
    .map((c) => ({ id: c.id, kind: kindOf(c.id), status: c.status, outcome: c.outcome, durationMs: c.durationMs, data: c.data, ...(c.error ? { error: c.error } : {}) }));
}

export interface Difference {
  kind: string;
  title: string;
  /** On the failing machine. */
  there: string;
  /** From the bot. */
  here: string;
}

export interface ClientView {
  verdict: Verdict;
  findings: Finding[];
  checks: Check[];
  /** Only where the two vantages saw different things; empty without the bot's own report. */
  differences: Difference[];
}

const signature = (checks: Evidence[]): string =>
  checks
    .map((e) => `${e.status}|${e.outcome}|${JSON.stringify(e.data)}`)
    .sort()
    .join('\n');

/** The client's report seen in the conversation's language, its rules re-run, beside the bot's (if any). */
export function clientView(client: Report, lang: Lang, bot?: Report): ClientView {
  const evidence = evidenceOf(client);
  const raw = evaluate({
    registry: parseRegistryTarget(client.registry.resourceId ?? client.registry.loginServer),
    symptoms: client.symptoms,
    client: client.client,
    evidence,
    // What the client read wins; what only the bot could read fills in.
    facts: { ...(bot?.facts ?? {}), ...client.facts },
  });
  const differences: Difference[] = [];
  if (bot) {
    const mine = evidenceOf(bot);
    const kinds = [...new Set([...evidence, ...mine].map((e) => e.kind))];
    for (const kind of kinds) {
      const there = evidence.filter((e) => e.kind === kind);
      const here = mine.filter((e) => e.kind === kind);
      if (signature(there) === signature(here)) continue;
      const describe = (side: Evidence[]): string => side.map((e) => renderCheck(lang, e).detail).join('; ');
      differences.push({ kind, title: renderCheck(lang, (there[0] ?? here[0])!).title, there: describe(there), here: describe(here) });
    }
  }
  return {
    verdict: verdictOf(raw, evidence.some((e) => e.status === 'fail')),
    findings: raw.map((f) => renderFinding(lang, f)),
    checks: evidence.map((e) => renderCheck(lang, e)),
    differences,
  };
}

/**
 * The client's report as the bot keeps it, for escalation: the bot's own id (an upload never names
 * or replaces a diagnosis), and what the bot decided over the client's evidence (verdict, findings,
 * checks rendered here), never the titles the upload carried.
 */
export function decidedClientReport(client: Report, view: ClientView, lang: Lang, id: string): Report {
  return { ...client, id, lang, verdict: view.verdict, findings: view.findings, checks: view.checks };
}

/** A check of what Azure Resource Manager said (`arm.registry`, `arm.private-dns`…). */
export const isArmCheck = (id: string): boolean => id.startsWith('arm.');

/**
 * A report without what Azure Resource Manager said: its facts and ARM checks gone, the rules re-run
 * over the network evidence alone. For someone who may not see what another identity read.
 */
export function withoutArm(report: Report, lang: Lang): Report {
  // The data endpoints ARM named were probed too: their names (and regions) are ARM's, so they go with it.
  const fromArm = new Set((report.facts.dataEndpoints ?? []).map((host) => `data:${host.toLowerCase()}`));
  const probes: Report = { ...report, facts: {}, checks: report.checks.filter((c) => !isArmCheck(c.id) && !fromArm.has(c.id.toLowerCase())) };
  return decidedClientReport(probes, clientView(probes, lang), lang, report.id);
}
