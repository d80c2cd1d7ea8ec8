/**
 * The AKS cluster's side of a failed pull: what ARM shows of the cluster (egress, virtual networks,
 * DNS servers, peerings, kubelet identity) against what the registry allows. Each rule fires only on
 * what was read; a part of the cluster that could not be read leaves its rule silent.
 */
import ipaddr from 'ipaddr.js';
import { lastName, parseResourceId, sameId } from '../arm/resource-id.js';
import type { AksFacts, AksNetworkFacts, Facts, PrivateZoneFacts } from '../report/types.js';
import type { RuleContext } from './context.js';
import { matchesIpRule } from './fact-rules.js';
import type { Match, Predicate } from './rules.js';

/** An egress address or prefix (a public IP prefix) wholly inside one of the registry's IP rules. */
export function egressAllowed(egress: string, rules: string[]): boolean {
  if (!egress.includes('/')) return matchesIpRule(egress, rules);
  try {
    const [range, bits] = ipaddr.parseCIDR(egress);
    return rules.some((rule) => {
      try {
        const [allowed, allowedBits] = rule.includes('/') ? ipaddr.parseCIDR(rule) : [ipaddr.parse(rule), range.kind() === 'ipv4' ? 32 : 128];
        return allowed.kind() === range.kind() && bits >= allowedBits && range.match(allowed, allowedBits);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** Whether `address` lies in one of `prefixes` (CIDR). */
function inPrefixes(address: string, prefixes: string[]): boolean {
  return prefixes.some((prefix) => egressAllowed(address, [prefix]));
}

/** The cluster's networks and those they reach through a connected peering. */
function nearNetworks(networks: AksNetworkFacts[]): string[] {
  return [...networks.map((n) => n.id), ...networks.flatMap((n) => n.peerings.filter((p) => p.state === 'Connected').map((p) => p.remoteVnetId))];
}

/**
 * Whether the cluster has a private way to the registry: a private endpoint in one of its networks
 * or in one peered with them. Unknown (undefined) when its networks or the endpoints were not read,
 * or when its traffic is routed through an appliance, which may carry it to any other network.
 */
function privatePath(ctx: RuleContext, aks: AksFacts): boolean | undefined {
  if (ctx.first('arm.private-endpoints.none')) return false;
  const endpoints = ctx.input.facts.privateEndpoints;
  if (!endpoints || !aks.networks || aks.egressVia?.nextHopType === 'VirtualAppliance') return undefined;
  const near = nearNetworks(aks.networks);
  return endpoints.some((e) => e.vnetId !== undefined && near.some((id) => sameId(id, e.vnetId!)));
}

/** The public endpoint would serve the cluster: open to every network, or its every egress address allowed. */
function publicPathServes(facts: Facts, aks: AksFacts): boolean {
  if (facts.publicNetworkAccess === 'Disabled') return false;
  if (facts.defaultAction !== 'Deny') return true;
  return aks.egressIps.length > 0 && aks.egressIps.every((ip) => egressAllowed(ip, facts.ipRules ?? []));
}

const linked = (zone: PrivateZoneFacts, vnetId: string): boolean => zone.vnetLinks.some((link) => sameId(link, vnetId));
const vnetParams = (prefix: 'aks' | 'hub', vnetId: string): Record<string, string> => ({ [`${prefix}Vnet`]: lastName(vnetId), [`${prefix}VnetId`]: vnetId });
function zoneParams(zone: PrivateZoneFacts): Record<string, string> {
  return { zoneResourceGroup: parseResourceId(zone.id)?.resourceGroup ?? '', zone: zone.name, zoneId: zone.id };
}

/**
 * Why one of the cluster's networks does not resolve the registry's private names, or undefined when
 * it does (or it cannot be told: its DNS servers lie outside every network it peers with).
 */
function unresolved(network: AksNetworkFacts, zone: PrivateZoneFacts): Match | undefined {
  if (linked(zone, network.id)) return undefined;
  // The zone link of the cluster's (or the target's) network: the command links that one.
  const link = (vnetId: string): Record<string, string> => ({ vnet: lastName(vnetId), vnetId, ...zoneParams(zone) });
  if (network.dnsServers.length === 0) {
    return { evidence: ['arm.aks', 'arm.private-dns'], params: { ...vnetParams('aks', network.id), ...link(network.id) }, fixes: ['zone-link'] };
  }
  // Custom DNS servers: they resolve the private names only if their own network is linked and reached.
  const dnsServers = network.dnsServers.join(', ');
  const hub = network.peerings.find((p) => network.dnsServers.some((server) => inPrefixes(server, p.remotePrefixes)));
  if (!hub) return undefined;
  const params = { ...vnetParams('aks', network.id), ...vnetParams('hub', hub.remoteVnetId), dnsServers, peeringState: hub.state };
  if (!linked(zone, hub.remoteVnetId)) return { evidence: ['arm.aks', 'arm.private-dns'], params: { ...params, ...link(hub.remoteVnetId) }, fixes: ['zone-link', 'aks-dns-forward'], variant: 'hub-unlinked' };
  if (hub.state !== 'Connected') return { evidence: ['arm.aks', 'arm.private-dns'], params: { ...params, ...zoneParams(zone) }, fixes: ['aks-dns-forward'], variant: 'hub-disconnected' };
  return undefined;
}

export const AKS_RULES: Record<string, Predicate> = {
  /**
   * The client is AKS and nothing here, nor anything Azure shows of the registry and the cluster, is
   * wrong: what is left is on the nodes, to be checked from inside the cluster.
   */
  'aks-check-in-cluster': (ctx) => {
    if (ctx.input.client.kind !== 'aks' || ctx.anyFailed()) return undefined;
    if (['aks-kubelet-no-acrpull', 'aks-egress-not-allowed', 'aks-vnet-not-linked'].some((rule) => AKS_RULES[rule]!(ctx))) return undefined;
    const aks = ctx.input.facts.aks;
    // The cluster's name and resource group, when it was read, are every finding's (baseParams).
    const evidence = [...ctx.withOutcome('v2.challenge', 'token.auth-required').map((e) => e.id), ...(aks ? ['arm.aks'] : [])];
    // AKS's own check runs on Linux nodes only: a cluster with Windows pools is checked there too.
    return aks?.windowsPools ? { evidence, params: {}, variant: 'windows', fixes: ['aks-check-acr', 'aks-windows-nodes'] } : { evidence, params: {}, fixes: ['aks-check-acr'] };
  },
  /** The cluster's kubelet identity holds no role that lets it pull from the registry. */
  'aks-kubelet-no-acrpull': (ctx) => {
    const aks = ctx.input.facts.aks;
    if (!aks?.kubeletObjectId || aks.kubeletPullRoles === undefined || aks.kubeletPullRoles.length > 0) return undefined;
    return { evidence: ['arm.aks'], params: {} };
  },
  /**
   * The cluster leaves from addresses the registry's IP rules do not allow; or public access is off
   * and the cluster has no private way to the registry.
   */
  'aks-egress-not-allowed': (ctx): Match | undefined => {
    const { facts } = ctx.input;
    const aks = facts.aks;
    if (!aks) return undefined;
    if (facts.publicNetworkAccess === 'Disabled') {
      if (privatePath(ctx, aks) !== false) return undefined;
      const egress: Record<string, string> = aks.egressIps.length > 0 ? { egressIps: aks.egressIps.join(', '), egressIp: aks.egressIps.join(', ') } : {};
      const endpoints = ctx.first('arm.private-endpoints.ok', 'arm.private-endpoints.none');
      // The new endpoint's names resolve in the cluster's network once the zone is linked to it.
      const network = aks.networks?.[0];
      const zone = facts.privateDnsZones?.[0];
      const unlinked: Record<string, string> | undefined = network && !(zone && linked(zone, network.id)) ? { vnet: lastName(network.id), vnetId: network.id } : undefined;
      return {
        evidence: ['arm.aks', 'arm.registry', ...(endpoints ? [endpoints.id] : [])],
        params: { ...egress, ...unlinked },
        variant: 'public-off',
        fixes: ['aks-private-endpoint', ...(unlinked ? ['zone-link'] : []), 'aks-public-selected', 'aks-egress-allow'],
      };
    }
    if (aks.egressIps.length === 0 || facts.defaultAction !== 'Deny') return undefined;
    const missing = aks.egressIps.filter((ip) => !egressAllowed(ip, facts.ipRules ?? []));
    if (missing.length === 0) return undefined;
    return { evidence: ['arm.aks', 'arm.registry'], params: { egressIps: missing.join(', '), egressIp: missing.join(', '), ipRules: (facts.ipRules ?? []).join(', ') || '-' }, fixes: ['aks-egress-allow', 'network-rule-show'] };
  },
  /**
   * The registry is reached privately, and a network of the cluster does not resolve its private names:
   * not linked to the privatelink zone (Azure DNS), or its DNS servers sit in a network that is not
   * linked or not reached. Silent when the public endpoint would serve the cluster anyway.
   */
  'aks-vnet-not-linked': (ctx) => {
    const { facts } = ctx.input;
    const aks = facts.aks;
    const zones = facts.privateDnsZones ?? [];
    if (!aks?.networks || zones.length === 0 || (facts.privateEndpoints?.length ?? 0) === 0 || publicPathServes(facts, aks)) return undefined;
    for (const zone of zones) {
      for (const network of aks.networks) {
        const hit = unresolved(network, zone);
        if (hit) return hit;
      }
    }
    return undefined;
  },
};
