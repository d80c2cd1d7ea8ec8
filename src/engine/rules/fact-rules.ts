/**
 * Rules that need the registry's configuration from ARM (facts) as well as what the probes saw.
 * Each says which evidence and facts it rests on and what to fill into its fixes.
 */
import ipaddr from 'ipaddr.js';
import { matchesIpRule } from '../net/ip-ranges.js';
import { addressesOf } from '../probes/dns.js';
import { classifyAddress, isInternal } from '../probes/address.js';
import { parseResourceId, sameId } from '../arm/resource-id.js';
import type { Facts } from '../report/types.js';
import type { Evidence } from '../probes/evidence.js';
import { proxyParams, recordName, text, type RuleContext } from './context.js';
import type { Predicate } from './rules.js';

export const IP_RULE_QUOTA = 100;


function restricted(facts: Facts): boolean {
  return facts.publicNetworkAccess === 'Disabled' || facts.defaultAction === 'Deny' || (facts.privateEndpoints?.length ?? 0) > 0;
}

const DENIALS = ['v2.denied', 'token.denied', 'exchange.denied', 'data.denied'];

/** The client IP ACR refused: from its DENIED answer to a probe, else the latest 403 in its login events. */
function deniedClientIp(ctx: RuleContext): { ip: string; ids: string[] } | undefined {
  const hits = ctx.withOutcome(...DENIALS);
  const ip = hits.map((e) => text(e.data, 'clientIp')).find(Boolean);
  if (ip) return { ip, ids: hits.map((e) => e.id) };
  const logged = ctx.input.facts.loginFailures?.find((f) => f.result === '403' && ipaddr.isValid(f.callerIp));
  return logged ? { ip: logged.callerIp, ids: ['arm.login-events'] } : undefined;
}

/** Observed DNS answers per FQDN: the login server from the system resolver, data endpoints from their probes. */
function observedAnswers(ctx: RuleContext): Map<string, { addresses: string[]; evidence: string }> {
  const seen = new Map<string, { addresses: string[]; evidence: string }>();
  const system = ctx.first('dns.system.ok', 'dns.system.hosts');
  if (system) seen.set(ctx.registry.loginServer, { addresses: addressesOf(system.data), evidence: system.id });
  for (const data of ctx.ofKind('data')) {
    const host = text(data.data, 'host');
    if (host && Array.isArray(data.data.addresses)) seen.set(host, { addresses: addressesOf(data.data), evidence: data.id });
  }
  return seen;
}

function zoneCoordinates(zoneId: string): { zoneSubscription: string; zoneResourceGroup: string; zone: string } {
  const parsed = parseResourceId(zoneId);
  return { zoneSubscription: parsed?.subscriptionId ?? '<zone-subscription-id>', zoneResourceGroup: parsed?.resourceGroup ?? '<zone-resource-group>', zone: parsed?.path[0]?.[1] ?? `privatelink.azurecr.io` };
}


/** Outcomes that show an endpoint answered this run: ARM over HTTP, and a token that came from a sign-in. */
const ARM_ANSWERED = /^arm\.(registry|replications|private-endpoints|private-dns|provider)\.|^arm\.(unauthorized|forbidden|not-found|throttled|server-error)$/;
const LOGS_ANSWERED = /^arm\.login-events\.(ok|none)$/;
const TOKEN_USED = /^exchange\.(ok|unauthorized|denied|forbidden|throttled|unexpected)$/;

/**
 * Azure endpoints that answered somewhere in this run: one refused or silent call does not make
 * such an endpoint unreachable, and a finding saying so would contradict what was read.
 */
function answeredEndpoints(evidence: Evidence[]): Set<string> {
  const answered = new Set<string>();
  for (const e of evidence) {
    if (ARM_ANSWERED.test(e.outcome)) answered.add('arm').add('entra').add('imds');
    if (LOGS_ANSWERED.test(e.outcome)) answered.add('log-analytics').add('entra').add('imds');
    if (TOKEN_USED.test(e.outcome)) answered.add('entra').add('imds');
  }
  return answered;
}

/** A URL that shows whether the endpoint answers at all (any HTTP status will do). */
function endpointUrl(endpoint: string, host: string, port: string): string {
  if (endpoint === 'imds') return `http://${host}/metadata/instance?api-version=2021-02-01`;
  return `https://${host}${port && port !== '443' ? `:${port}` : ''}/`;
}

/** Fixes in the order the failure calls for: the proxy's own answer first when it was the proxy. */
function azureEndpointFixes(failure: string, proxy: string): string[] {
  if (failure === 'proxy-auth-required') return ['azure-endpoint-proxy-credentials', 'azure-endpoint-proxy'];
  return proxy ? ['azure-endpoint-proxy', 'azure-endpoint-allow'] : ['azure-endpoint-allow', 'azure-endpoint-proxy'];
}

export const FACT_RULES: Record<string, Predicate> = {
  /** Microsoft Entra, ARM, Log Analytics or IMDS not reached: a network fact about this machine, not the registry's path. */
  'azure-endpoint-unreachable': (ctx) => {
    const answered = answeredEndpoints(ctx.input.evidence);
    const hits = ctx.withOutcome('arm.unreachable.', 'exchange.unreachable.').filter((e) => text(e.data, 'host') && !answered.has(text(e.data, 'endpoint')));
    const first = hits[0];
    if (!first) return undefined;
    const host = text(first.data, 'host');
    const port = text(first.data, 'port') || '443';
    // Set only when the proxy failed the request: then the endpoint itself was never asked.
    const proxy = text(first.data, 'proxy');
    const viaProxy = proxy ? proxyParams(proxy) : undefined;
    return {
      evidence: hits.filter((e) => text(e.data, 'host') === host).map((e) => e.id),
      params: {
        azureHost: host,
        azurePort: port,
        azureService: text(first.data, 'service') || host,
        azureUrl: endpointUrl(text(first.data, 'endpoint'), host, port),
        azureRoute: viaProxy ? `${viaProxy.proxy} → ${host}:${port}` : `${host}:${port}`,
        ...viaProxy,
      },
      fixes: azureEndpointFixes(text(first.data, 'failure'), proxy),
    };
  },

  'ip-rule-quota': (ctx) => {
    const rules = ctx.input.facts.ipRules ?? [];
    if (rules.length < IP_RULE_QUOTA) return undefined;
    const denied = deniedClientIp(ctx);
    if (!denied && !ctx.hasSymptom('cannot-edit-network-rules', 'network-settings-save-failed')) return undefined;
    return { evidence: [...(denied?.ids ?? []), 'arm.registry'], params: { ruleCount: String(rules.length), clientIp: denied?.ip ?? '<client-ip>' } };
  },

  'ip-not-in-rules': (ctx) => {
    const { facts } = ctx.input;
    const denied = deniedClientIp(ctx);
    if (!denied || facts.defaultAction !== 'Deny' || facts.publicNetworkAccess === 'Disabled') return undefined;
    if (matchesIpRule(denied.ip, facts.ipRules ?? [])) return undefined;
    return { evidence: [...denied.ids, 'arm.registry'], params: { clientIp: denied.ip, ipRules: (facts.ipRules ?? []).join(', ') || '-' } };
  },

  'public-access-disabled': (ctx) => {
    if (ctx.input.facts.publicNetworkAccess !== 'Disabled') return undefined;
    const system = ctx.first('dns.system.ok', 'dns.system.hosts');
    const publicAnswer = system ? addressesOf(system.data).filter((a) => !isInternal(classifyAddress(a))) : [];
    const denials = ctx.withOutcome(...DENIALS);
    if (denials.length === 0 && publicAnswer.length === 0) return undefined;
    return {
      evidence: [...(system && publicAnswer.length > 0 ? [system.id] : []), ...denials.map((e) => e.id), 'arm.registry'],
      params: { address: publicAnswer.join(', ') || '-' },
    };
  },

  'pe-dns-mismatch': (ctx) => {
    const observed = observedAnswers(ctx);
    for (const endpoint of ctx.input.facts.privateEndpoints ?? []) {
      for (const config of endpoint.dns) {
        const seen = observed.get(config.fqdn);
        const wrong = seen?.addresses.filter((a) => isInternal(classifyAddress(a)) && !config.addresses.includes(a)) ?? [];
        if (!seen || wrong.length === 0) continue;
        const zone = ctx.input.facts.privateDnsZones?.[0];
        return {
          evidence: [seen.evidence, 'arm.private-endpoints'],
          params: {
            fqdn: config.fqdn,
            expectedAddress: config.addresses.join(', '),
            actualAddress: wrong.join(', '),
            recordName: recordName(config.fqdn, ctx.registry.suffix),
            ...(zone ? zoneCoordinates(zone.id) : {}),
          },
        };
      }
    }
    return undefined;
  },

  'replica-data-record-missing': (ctx) => {
    const { facts } = ctx.input;
    const zones = facts.privateDnsZones ?? [];
    if (zones.length === 0) return undefined;
    const regions = [...new Set([...(facts.location ? [facts.location.toLowerCase()] : []), ...(facts.replications ?? [])])];
    for (const region of regions) {
      const record = `${ctx.registry.name}.${region}.data`;
      if (zones.some((z) => record in z.records)) continue;
      const fqdn = `${record}.${ctx.registry.suffix}`;
      const address = facts.privateEndpoints?.flatMap((e) => e.dns).find((d) => d.fqdn === fqdn)?.addresses[0] ?? '<private-endpoint-ip>';
      return { evidence: ['arm.replications', 'arm.private-dns'], params: { region, recordName: record, dataEndpoint: fqdn, expectedAddress: address, ...zoneCoordinates(zones[0]!.id) } };
    }
    return undefined;
  },

  'zone-not-linked': (ctx) => {
    const zones = ctx.input.facts.privateDnsZones ?? [];
    for (const endpoint of ctx.input.facts.privateEndpoints ?? []) {
      const vnet = endpoint.vnetId;
      const unlinked = vnet ? zones.find((z) => !z.vnetLinks.some((link) => sameId(link, vnet))) : undefined;
      if (vnet && unlinked) {
        return { evidence: ['arm.private-endpoints', 'arm.private-dns'], params: { vnetId: vnet, vnet: vnet.split('/').pop() ?? vnet, ...zoneCoordinates(unlinked.id) } };
      }
    }
    return undefined;
  },

  'provider-not-registered': (ctx) => {
    const missing = (ctx.input.facts.providerRegistrations ?? []).find((p) => p.state !== 'Registered');
    return missing ? { evidence: ['arm.provider'], params: { subscription: missing.subscriptionId, state: missing.state } } : undefined;
  },

  'network-rules-need-premium': (ctx) => {
    const { facts } = ctx.input;
    if (!facts.sku || facts.sku === 'Premium') return undefined;
    const wantsRules = ctx.hasSymptom('network-settings-save-failed', 'cannot-edit-network-rules') || (facts.ipRules?.length ?? 0) > 0 || facts.defaultAction === 'Deny';
    return wantsRules ? { evidence: ['arm.registry'], params: { sku: facts.sku } } : undefined;
  },

  'tasks-bypass-disabled': (ctx) => {
    const { facts } = ctx.input;
    const fromTasks = ctx.input.client.kind === 'tasks' || ctx.hasSymptom('tasks-cannot-push-pull');
    if (!fromTasks || !restricted(facts) || facts.bypassForTasks === true) return undefined;
    return { evidence: ['arm.registry'], params: { resourceId: facts.resourceId ?? '<registry-resource-id>' } };
  },

  'trusted-services-disabled': (ctx) => {
    const { facts } = ctx.input;
    // AKS pulls from its nodes with its kubelet identity: trusted services do nothing for it.
    const fromService = ctx.input.client.kind !== 'aks' && (ctx.input.client.kind === 'azure-service' || ctx.hasSymptom('defender-cannot-scan', 'azure-service-cannot-pull'));
    if (!fromService || !restricted(facts) || facts.bypass !== 'None') return undefined;
    return { evidence: ['arm.registry'], params: {} };
  },
};
