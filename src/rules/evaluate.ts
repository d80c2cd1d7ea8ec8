/** Runs the rules over evidence and facts: ranked findings and a verdict. Pure; no I/O. */
import { knowledge } from '../knowledge/knowledge.js';
import type { Confidence, Verdict } from '../report/types.js';
import { RuleContext, type RuleInput } from './context.js';
import { FACT_RULES } from './fact-rules.js';
import { RULES, type Predicate } from './rules.js';

export interface RawFinding {
  rule: string;
  cause: string;
  confidence: Confidence;
  evidence: string[];
  params: Record<string, string>;
  fixes: string[];
}

const RANK: Record<Confidence, number> = { high: 0, medium: 1, low: 2 };

/** An HTTP-level failure that only repeats what a lower layer already explained. */
const isConsequence = (id: string, outcomeOf: Map<string, string>): boolean => /\.transport\./.test(outcomeOf.get(id) ?? '');

export function baseParams(input: RuleInput): Record<string, string> {
  return {
    registry: input.registry.name,
    loginServer: input.registry.loginServer,
    suffix: input.registry.suffix,
    proxy: input.client.proxy ?? '<proxy-url>',
    dnsServer: input.client.dnsServers[0] ?? '',
    hostsFile: process.platform === 'win32' ? 'C:\\Windows\\System32\\drivers\\etc\\hosts' : '/etc/hosts',
    clientIp: '<client-ip>',
    dataEndpoint: `${input.registry.name}.<region>.data.${input.registry.suffix}`,
    principal: '<client-id>',
    zoneResourceGroup: '<zone-resource-group>',
    zone: `privatelink.${input.registry.suffix}`,
    recordName: input.registry.name,
    expectedAddress: '<private-endpoint-ip>',
    actualAddress: '<wrong-ip>',
    vnet: '<vnet>',
    vnetId: '<vnet-resource-id>',
    subscription: input.registry.subscriptionId ?? '<subscription-id>',
    resourceId: input.facts.resourceId ?? input.registry.resourceId ?? '<registry-resource-id>',
  };
}

/** Every rule's predicate by id; their order of precedence is the order of knowledge.json. */
export const PREDICATES: Record<string, Predicate> = { ...Object.fromEntries(RULES), ...FACT_RULES };

/** ARM checks may back several findings; a probe's evidence is explained once, by the first rule that uses it. */
const isProbeEvidence = (id: string): boolean => !id.startsWith('arm.');

export function evaluate(input: RuleInput): RawFinding[] {
  const ctx = new RuleContext(input);
  const outcomeOf = new Map(input.evidence.map((e) => [e.id, e.outcome]));
  const explained = new Set<string>();
  const findings: RawFinding[] = [];
  for (const rule of Object.keys(knowledge.rules)) {
    const hit = PREDICATES[rule]?.(ctx);
    if (!hit) continue;
    const probed = hit.evidence.filter(isProbeEvidence);
    const fresh = probed.filter((id) => !explained.has(id));
    const onlyConsequences = findings.length > 0 && fresh.every((id) => isConsequence(id, outcomeOf));
    if (probed.length > 0 && (fresh.length === 0 || onlyConsequences)) continue;
    probed.forEach((id) => explained.add(id));
    const known = knowledge.rules[rule]!;
    const params = { ...baseParams(input), ...nonEmpty(hit.params) };
    findings.push({ rule, cause: known.cause, confidence: known.confidence, evidence: hit.evidence, params, fixes: known.fixes });
  }
  if (ctx.anyFailed() && !findings.some((f) => f.confidence !== 'low')) {
    const failed = input.evidence.filter((e) => e.status === 'fail').map((e) => e.id);
    const known = knowledge.rules.unknown!;
    findings.push({ rule: 'unknown', cause: 'unknown', confidence: known.confidence, evidence: failed, params: baseParams(input), fixes: known.fixes });
  }
  return findings.map((f, order) => ({ f, order })).sort((a, b) => RANK[a.f.confidence] - RANK[b.f.confidence] || a.order - b.order).map(({ f }) => f);
}

function nonEmpty(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== ''));
}

/** Never `healthy` while a check failed; `inconclusive` when something failed that no rule explains. */
export function verdictOf(findings: RawFinding[], anyFailed: boolean): Verdict {
  if (findings.some((f) => f.cause !== 'unknown' && f.confidence !== 'low')) return 'problem';
  if (anyFailed) return findings.some((f) => f.cause !== 'unknown') ? 'problem' : 'inconclusive';
  return 'healthy';
}
