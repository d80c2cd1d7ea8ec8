/**
 * The AKS cluster's side of a failed pull: what ARM shows of the cluster (egress, virtual networks,
 * DNS servers, peerings, kubelet identity) against what the registry allows. Each rule fires only on
 * what was read; a part of the cluster that could not be read leaves its rule silent.
 */
import { lastName, parseResourceId, sameId } from '../arm/resource-id.js';
import type { AksFacts, AksNetworkFacts, Facts, PrivateZoneFacts } from '../report/types.js';
import type { RuleContext } from './context.js';
import { egressAllowed, matchesIpRule } from '../net/ip-ranges.js';
import type { Match, Predicate } from './rules.js';

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
  // A Virtual WAN hub (its network named HV_…) connects its spokes to each other: any of them may hold the endpoint.
  if (aks.networks.some((n) => n.peerings.some((p) => p.state === 'Connected' && /^HV_/i.test(lastName(p.remoteVnetId))))) return undefined;
  const near = nearNetworks(aks.networks);
  // Only an approved connection carries traffic (a pending, rejected or disconnected one does not).
  const approved = endpoints.filter((e) => e.status === undefined || e.status === 'Approved');
  return approved.some((e) => e.vnetId !== undefined && near.some((id) => sameId(id, e.vnetId!)));
}

/** The public endpoint would serve the cluster: open to every network, or its every egress address allowed. */
function publicPathServes(facts: Facts, aks: AksFacts): boolean {
  if (facts.publicNetworkAccess === 'Disabled') return false;
  if (facts.defaultAction !== 'Deny') return true;
  const v4 = ipv4(aks.egressIps);
  return v4.length > 0 && v4.every((ip) => egressAllowed(ip, facts.ipRules ?? []));
}

/** IPv4 addresses and prefixes only. */
const ipv4 = (addresses: string[]): string[] => addresses.filter((a) => !a.includes(':'));

/** Azure's own DNS, which a network may list as a custom server. */
const AZURE_DNS = '168.63.129.16';

const linked = (zone: PrivateZoneFacts, vnetId: string): boolean => zone.vnetLinks.some((link) => sameId(link, vnetId));
const vnetParams = (prefix: 'aks' | 'hub', vnetId: string): Record<string, string> => ({
  [`${prefix}Vnet`]: lastName(vnetId),
  [`${prefix}VnetId`]: vnetId,
  [`${prefix}VnetResourceGroup`]: parseResourceId(vnetId)?.resourceGroup ?? '',
  [`${prefix}VnetSubscription`]: parseResourceId(vnetId)?.subscriptionId ?? '',
});
function zoneParams(zone: PrivateZoneFacts): Record<string, string> {
  const id = parseResourceId(zone.id);
  return { zoneSubscription: id?.subscriptionId ?? '', zoneResourceGroup: id?.resourceGroup ?? '', zone: zone.name, zoneId: zone.id };
}

/**
 * Why one of the cluster's networks does not resolve the registry's private names, or undefined when
 * it does (or it cannot be told: its DNS servers lie outside every network it peers with).
 */
function unresolved(network: AksNetworkFacts, zone: PrivateZoneFacts): Match | undefined {
  // The zone link of the cluster's (or the target's) network: the command links that one.
  const link = (vnetId: string): Record<string, string> => ({ vnet: lastName(vnetId), vnetId, ...zoneParams(zone) });
  // Azure DNS (no DNS servers, or only Azure's own 168.63.129.16) answers from the zones linked to this network.
  const custom = network.dnsServers.filter((server) => server !== AZURE_DNS);
  if (custom.length === 0) {
    if (linked(zone, network.id)) return undefined;
    return { evidence: ['arm.aks', 'arm.private-dns'], params: { ...vnetParams('aks', network.id), ...link(network.id) }, fixes: ['zone-link'] };
  }
  // Custom DNS servers resolve the private names only if their own network is linked and reached;
  // the cluster network's own link changes nothing for them.
  const dnsServers = custom.join(', ');
  const hub = network.peerings.find((p) => custom.some((server) => matchesIpRule(server, p.remotePrefixes)));
  if (!hub) return undefined;
  const params = { ...vnetParams('aks', network.id), ...vnetParams('hub', hub.remoteVnetId), dnsServers, peeringState: hub.state };
  if (!linked(zone, hub.remoteVnetId)) return { evidence: ['arm.aks', 'arm.private-dns'], params: { ...params, ...link(hub.remoteVnetId) }, fixes: ['zone-link', 'aks-dns-forward'], variant: 'hub-unlinked' };
  if (hub.state !== 'Connected') return { evidence: ['arm.aks', 'arm.private-dns'], params: { ...params, ...zoneParams(zone) }, fixes: ['aks-peering', 'aks-dns-forward'], variant: 'hub-disconnected' };
  return undefined;
}

const ABAC = 'AbacRepositoryPermissions';
/**
 * The built-in roles that let an identity pull, per permission mode. With repository permissions
 * (ABAC), AcrPull and AcrPush are not honoured and Reader, Contributor and Owner manage the registry
 * only: the repository roles pull.
 */
export const ROLES_THAT_PULL = {
  legacy: new Set(['AcrPull', 'AcrPush', 'Container Registry Data Importer and Data Reader', 'Reader', 'Contributor', 'Owner']),
  abac: new Set(['Container Registry Repository Reader', 'Container Registry Repository Writer', 'Container Registry Repository Contributor']),
};

export const AKS_RULES: Record<string, Predicate> = {
  /**
   * The client is AKS and nothing here, nor anything Azure shows of the registry and the cluster, is
   * wrong: what is left is on the nodes, to be checked from inside the cluster.
   */
  'aks-check-in-cluster': (ctx): Match | undefined => {
    if (ctx.input.client.kind !== 'aks' || ctx.anyFailed()) return undefined;
    if (['aks-kubelet-no-acrpull', 'aks-egress-not-allowed', 'aks-vnet-not-linked'].some((rule) => AKS_RULES[rule]!(ctx))) return undefined;
    const aks = ctx.input.facts.aks;
    // The cluster's name and resource group, when it was read, are every finding's (baseParams).
    const evidence = [...ctx.withOutcome('v2.challenge', 'token.auth-required').map((e) => e.id), ...(aks ? ['arm.aks'] : [])];
    // AKS's own check runs on Linux nodes only: a cluster with Windows pools is checked there too.
    const fixes = aks?.windowsPools ? ['aks-check-acr', 'aks-windows-nodes'] : ['aks-check-acr'];
    // What could not be read is not said to be right.
    if (aks?.unread?.length) return { evidence, params: { unread: aks.unread.join(', ') }, variant: 'unread', fixes };
    return aks?.windowsPools ? { evidence, params: {}, variant: 'windows', fixes } : { evidence, params: {}, fixes };
  },
  /**
   * The cluster's kubelet identity holds no role that lets it pull in the registry's permission mode.
   * A role it cannot judge (a custom role) may pull: then nothing is said.
   */
  'aks-kubelet-no-acrpull': (ctx): Match | undefined => {
    const { facts } = ctx.input;
    const aks = facts.aks;
    if (!aks?.kubeletObjectId || aks.kubeletRoles === undefined) return undefined;
    const abac = facts.roleAssignmentMode === ABAC;
    const pulls = ROLES_THAT_PULL[abac ? 'abac' : 'legacy'];
    if (aks.kubeletRoles.some((role) => pulls.has(role) || role.startsWith('role:'))) return undefined;
    const held = aks.kubeletRoles.join(', ') || '-';
    if (abac) return { evidence: ['arm.aks', 'arm.registry'], params: { kubeletRoles: held }, variant: 'abac', fixes: ['kubelet-repository-reader'] };
    return { evidence: ['arm.aks'], params: { kubeletRoles: held }, fixes: ['aks-attach-acr', 'kubelet-acrpull'] };
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
      const v4 = ipv4(aks.egressIps);
      const egress: Record<string, string> = v4.length > 0 ? { egressIps: v4.join(', '), egressIp: v4.join(', ') } : {};
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
    // The registry's IP rules take IPv4 only: a dual-stack cluster's IPv6 egress is not for them.
    const missing = ipv4(aks.egressIps).filter((ip) => !egressAllowed(ip, facts.ipRules ?? []));
    if (missing.length === 0) return undefined;
    // The cluster's own addresses, read while its subnets were not: a route or NAT gateway there may take the traffic first.
    const confidence = aks.unread?.includes('network') ? { confidence: 'medium' as const } : {};
    return { evidence: ['arm.aks', 'arm.registry'], params: { egressIps: missing.join(', '), egressIp: missing.join(', '), ipRules: (facts.ipRules ?? []).join(', ') || '-' }, fixes: ['aks-egress-allow', 'network-rule-show'], ...confidence };
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
    // Without a private way to the endpoint, resolving its address would not help (aks-egress-not-allowed says so).
    if (privatePath(ctx, aks) === false) return undefined;
    for (const zone of zones) {
      for (const network of aks.networks) {
        const hit = unresolved(network, zone);
        if (hit) return hit;
      }
    }
    return undefined;
  },
};
