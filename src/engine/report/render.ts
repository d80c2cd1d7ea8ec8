/** Renders language-neutral evidence and findings into the report's texts, in one language. */
import { has, t } from '../i18n/i18n.js';
import { fixCommands, knowledge } from '../knowledge/knowledge.js';
import type { Evidence } from '../probes/evidence.js';
import type { RawFinding } from '../rules/evaluate.js';
import type { Check, Finding, JsonObject, JsonValue, Lang, Report } from './types.js';

function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The verdict's words: a problem while every check from here passed is the registry's configuration
 * in Azure keeping the client out (an AKS cluster's egress, a task's bypass), not this machine's path.
 */
export function verdictKey(report: Pick<Report, 'verdict' | 'checks'> & { findings?: Pick<Finding, 'cause' | 'confidence' | 'evidence'>[] }): string {
  const sure = (report.findings ?? []).filter((f) => f.confidence !== 'low');
  // Every finding that makes it a problem rests on what ARM read, and none is this machine's own path.
  const configuration = sure.length > 0 && sure.every((f) => f.cause !== 'client-firewall-or-proxy' && f.evidence.every((id) => id.startsWith('arm.')));
  if (report.verdict === 'problem' && configuration && report.checks.every((c) => c.status !== 'fail')) return 'cli.verdict.problemConfiguration';
  return `cli.verdict.${report.verdict}`;
}

/**
 * Ids the engine writes into a text's values (the parts of an AKS cluster not read: egress, network,
 * roles), in the reader's words; commands keep the values as they are.
 */
export function inWords(lang: Lang, params: Record<string, string>): Record<string, string> {
  const unread = params.unread;
  if (!unread || unread === '-') return params;
  return { ...params, unread: unread.split(', ').map((id) => (has(lang, `aksParts.${id}`) ? t(lang, `aksParts.${id}`) : id)).join(', ') };
}

/** Flattens a check's data into the `{name}` parameters its texts use. */
export function textParams(data: JsonObject, error?: { message: string }): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') params[key] = String(value);
  }
  if (Array.isArray(data.addresses)) {
    params.addresses = data.addresses.filter(isObject).map((a) => `${String(a.address)} (${String(a.class)})`).join(', ') || '-';
  }
  if (Array.isArray(data.chain)) params.chain = data.chain.map(String).join(' → ');
  if (Array.isArray(data.hostsEntries)) {
    params.hostsEntries = data.hostsEntries.filter(isObject).map((e) => `${String(e.line)}: ${String(e.address)}`).join(', ');
  }
  if (isObject(data.certificate)) {
    const names = data.certificate.names;
    params.certificateNames = Array.isArray(names) && names.length > 0 ? names.map(String).join(', ') : String(data.certificate.subject ?? '');
    params.certificateIssuer = String(data.certificate.issuer ?? '');
  }
  if (error) params.errorMessage = error.message;
  return params;
}

export function outcomeKey(outcome: string): string {
  const transport = /^\w+\.transport\.(.+)$/.exec(outcome);
  return `outcomes.${transport ? `transport.${transport[1]}` : outcome}`;
}

export function renderCheck(lang: Lang, evidence: Evidence): Check {
  const params = inWords(lang, textParams(evidence.data, evidence.error));
  const check: Check = {
    id: evidence.id,
    title: t(lang, `checks.${evidence.kind}`, params),
    status: evidence.status,
    outcome: evidence.outcome,
    durationMs: evidence.durationMs,
    detail: t(lang, outcomeKey(evidence.outcome), params),
    data: evidence.data,
  };
  if (evidence.error) check.error = evidence.error;
  return check;
}

/** Where a finding's words are: `findings.<rule>`, or `findings.<rule>.<variant>` for a case worded on its own. */
export function findingKey(finding: { rule: string; variant?: string }): string {
  return finding.variant ? `findings.${finding.rule}.${finding.variant}` : `findings.${finding.rule}`;
}

export function renderFinding(lang: Lang, raw: RawFinding): Finding {
  return {
    cause: raw.cause,
    rule: raw.rule,
    confidence: raw.confidence,
    ...(raw.variant ? { variant: raw.variant } : {}),
    title: t(lang, `${findingKey(raw)}.title`, inWords(lang, raw.params)),
    explanation: t(lang, `${findingKey(raw)}.explanation`, inWords(lang, raw.params)),
    evidence: raw.evidence,
    params: raw.params,
    fixes: raw.fixes.map((id) => {
      const template = knowledge.fixes[id]!;
      return {
        id,
        title: t(lang, `fixes.${id}`, raw.params),
        commands: fixCommands(template, raw.params),
        docs: template.docs,
      };
    }),
  };
}
