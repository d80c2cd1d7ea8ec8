/** Runs the rules over evidence and facts: ranked findings and a verdict. Pure; no I/O. */
import { fixCommands, knowledge, type RuleKnowledge } from '../knowledge/knowledge.js';
import type { Confidence, Verdict } from '../report/types.js';
import { parseResourceId, vnetOfSubnet } from '../arm/resource-id.js';
import { aksContextName } from '../target/aks-cluster.js';
import { parseDnsServer } from '../probes/dns-wire.js';
import type { Facts } from '../report/types.js';
import { proxyParams, RuleContext, text, type RuleInput } from './context.js';
import { AKS_RULES } from './aks-rules.js';
import { FACT_RULES } from './fact-rules.js';
import { match, RULES, type Predicate } from './rules.js';

export interface RawFinding {
  rule: string;
  cause: string;
  confidence: Confidence;
  evidence: string[];
  params: Record<string, string>;
  fixes: string[];
  /** The case of the rule whose own words the finding takes (knowledge.json's `variants`). */
  variant?: string;
}

const RANK: Record<Confidence, number> = { high: 0, medium: 1, low: 2 };

/** An HTTP-level failure that only repeats what a lower layer already explained. */
const isConsequence = (id: string, outcomeOf: Map<string, string>): boolean => /\.transport\./.test(outcomeOf.get(id) ?? '');

/**
 * What every finding's texts and commands may use, filled with what is known: from the evidence
 * (the client IP that ACR named), from ARM (the private zone), from the environment (the proxy).
 * Unknown values stay as `<placeholders>` a user can read and replace.
 */
export function baseParams(input: RuleInput): Record<string, string> {
  const zone = input.facts.privateDnsZones?.[0];
  const zoneId = zone ? parseResourceId(zone.id) : undefined;
  const clientIp = input.evidence.map((e) => text(e.data, 'clientIp')).find(Boolean);
  const loginServerEndpoint = input.facts.privateEndpoints?.flatMap((pe) => pe.dns).find((d) => d.fqdn.toLowerCase() === input.registry.loginServer);
  const dns = parseDnsServer(input.client.dnsServers[0] ?? '');
  const nodeSubnet = input.facts.aks?.nodeSubnetIds[0] ? parseResourceId(input.facts.aks.nodeSubnetIds[0]) : undefined;
  const cluster = input.facts.aks ? parseResourceId(input.facts.aks.id) : undefined;
  // What the diagnosis learnt; anything else keeps the placeholder of knowledge.json.
  const learnt: Record<string, string | undefined> = {
    registry: input.registry.name,
    loginServer: input.registry.loginServer,
    suffix: input.registry.suffix,
    ...(input.client.proxy ? proxyParams(input.client.proxy) : {}),
    dnsServer: input.client.dnsServers[0],
    dnsHost: dns?.host,
    dnsPort: dns ? String(dns.port) : undefined,
    proxyTarget: input.registry.loginServer,
    proxyTargetUrl: `https://${input.registry.loginServer}/v2/`,
    // The client's platform, as its report says: the bot re-runs the rules over a Windows machine's report too.
    hostsFile: input.client.platform.startsWith('win32') ? knowledge.hostsFiles.win32 : knowledge.hostsFiles.other,
    clientIp,
    dataEndpoint: `${input.registry.name}.<region>.data.${input.registry.suffix}`,
    zoneResourceGroup: zoneId?.resourceGroup,
    // A central DNS subscription is common: commands on the zone name its subscription.
    zoneSubscription: zoneId?.subscriptionId,
    zone: zone?.name ?? `privatelink.${input.registry.suffix}`,
    recordName: input.registry.name,
    fqdn: input.registry.loginServer,
    expectedAddress: loginServerEndpoint?.addresses.join(', ') || undefined,
    staleHost: input.registry.loginServer,
    chain: input.registry.loginServer,
    seconds: String(Math.round((input.evidence.reduce((max, e) => Math.max(max, e.durationMs), 0) / 1000) * 10) / 10),
    via: input.registry.loginServer,
    privatelinkName: `${input.registry.name}.privatelink.${input.registry.suffix}`,
    vnetId: input.facts.privateEndpoints?.find((pe) => pe.vnetId)?.vnetId,
    // The client's AKS cluster, when it was read.
    aksCluster: input.facts.aks?.name,
    aksResourceGroup: cluster?.resourceGroup,
    aksSubscription: cluster?.subscriptionId,
    aksContext: cluster ? aksContextName(cluster.subscriptionId, cluster.resourceGroup, input.facts.aks!.name) : undefined,
    kubeletObjectId: input.facts.aks?.kubeletObjectId,
    // Its first node subnet, where a private endpoint for it can go.
    aksVnet: nodeSubnet?.path[0]?.[1],
    aksVnetId: nodeSubnet ? vnetOfSubnet(input.facts.aks!.nodeSubnetIds[0]!) : undefined,
    aksVnetResourceGroup: nodeSubnet?.resourceGroup,
    aksVnetSubscription: nodeSubnet?.subscriptionId,
    aksSubnet: nodeSubnet?.path[1]?.[1],
    zoneId: zone?.id,
    subscription: input.registry.subscriptionId,
    resourceId: input.facts.resourceId ?? input.registry.resourceId,
  };
  return { ...knowledge.placeholders, ...Object.fromEntries(Object.entries(learnt).filter((entry): entry is [string, string] => entry[1] !== undefined)) };
}

/** A rule of knowledge.json that is data alone: the evidence with its outcomes, unless another outcome is there. */
function dataPredicate(when: NonNullable<RuleKnowledge['when']>): Predicate {
  return (ctx) => (when.unless && ctx.first(...when.unless) ? undefined : match(ctx.withOutcome(...when.outcomes)));
}

/** Every rule's predicate by id, from code or from its row; their order of precedence is the order of knowledge.json. */
export const PREDICATES: Record<string, Predicate> = {
  ...Object.fromEntries(Object.entries(knowledge.rules).flatMap(([id, rule]) => (rule.when ? [[id, dataPredicate(rule.when)]] : []))),
  ...Object.fromEntries(RULES),
  ...FACT_RULES,
  ...AKS_RULES,
};

/** ARM checks may back several findings; a probe's evidence is explained once, by the first rule that uses it. */
const isProbeEvidence = (id: string): boolean => !id.startsWith('arm.');

export function evaluate(input: RuleInput): RawFinding[] {
  const ctx = new RuleContext(input);
  const outcomeOf = new Map(input.evidence.map((e) => [e.id, e.outcome]));
  const explained = new Set<string>();
  const findings: RawFinding[] = [];
  const base = baseParams(input);
  for (const rule of Object.keys(knowledge.rules)) {
    const hit = PREDICATES[rule]?.(ctx);
    if (!hit) continue;
    const probed = hit.evidence.filter(isProbeEvidence);
    const fresh = probed.filter((id) => !explained.has(id));
    const onlyConsequences = findings.length > 0 && fresh.every((id) => isConsequence(id, outcomeOf));
    if (probed.length > 0 && (fresh.length === 0 || onlyConsequences)) continue;
    probed.forEach((id) => explained.add(id));
    const known = knowledge.rules[rule]!;
    const params = { ...base, ...nonEmpty(hit.params) };
    const fixes = hit.fixes?.filter((id) => known.fixes.includes(id)) ?? known.fixes;
    const variant = hit.variant && known.variants?.includes(hit.variant) ? { variant: hit.variant } : {};
    findings.push({ rule, cause: known.cause, confidence: hit.confidence ?? known.confidence, evidence: hit.evidence, params, fixes: applicableFixes(fixes, input.facts), ...variant });
  }
  const failed = input.evidence.filter((e) => e.status === 'fail').map((e) => e.id);
  // Failures that only low-confidence findings touch, or none, are worth an `unknown` with escalation.
  if (failed.some((id) => !explained.has(id)) && !findings.some((f) => f.confidence !== 'low')) {
    const known = knowledge.rules.unknown!;
    findings.push({ rule: 'unknown', cause: 'unknown', confidence: known.confidence, evidence: failed, params: base, fixes: known.fixes });
  }
  // Of findings equally sure, the one whose command can be pasted as it is comes first.
  return findings
    .map((f, order) => ({ f, order, ready: readyToPaste(f) ? 0 : 1 }))
    .sort((a, b) => RANK[a.f.confidence] - RANK[b.f.confidence] || a.ready - b.ready || a.order - b.order)
    .map(({ f }) => f);
}

/** A `<placeholder>` left in a command: something the user must still find out. */
const PLACEHOLDER = /<[a-z][\w.-]*>/i;

/** The finding's first command is complete: every value in it was known. */
export function readyToPaste(finding: Pick<RawFinding, 'fixes' | 'params'>): boolean {
  const first = finding.fixes.flatMap((id) => (knowledge.fixes[id] ? fixCommands(knowledge.fixes[id], finding.params) : []))[0];
  return first !== undefined && !PLACEHOLDER.test(first);
}

/** A fix the facts already rule out (allow trusted services where they are allowed) is not offered. */
export function applicableFixes(fixes: string[], facts: Facts): string[] {
  return fixes.filter((id) => {
    const notWhen = knowledge.fixes[id]?.notWhen;
    return !notWhen || !Object.entries(notWhen).some(([fact, value]) => String(facts[fact as keyof Facts] ?? '').toLowerCase() === value.toLowerCase());
  });
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
