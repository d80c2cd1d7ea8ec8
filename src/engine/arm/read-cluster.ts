/**
 * The AKS cluster a client runs in, read through ARM: where its nodes leave for the internet (load
 * balancer, NAT gateway, or the firewall a user-defined route leads to), the virtual networks its
 * nodes and pods sit in (DNS servers, peerings), and whether its kubelet identity may pull. Only
 * the cluster itself must be readable; each other part this identity may not read is left out and
 * named in `unread`, so a finding never rests on a guess.
 */
import type { AksFacts, AksNetworkFacts } from '../report/types.js';
import { matchesIpRule } from '../net/ip-ranges.js';
import { armFailure } from './arm-error.js';
import { parseResourceId, sameId, vnetOfSubnet } from './resource-id.js';
import type { Reading } from './reading.js';
import type { ArmApi, ClusterModel, VirtualNetworkModel } from './sdk.js';

/** At most this many subscriptions are searched for clusters, and this many clusters offered. */
const CLUSTER_SEARCH = { subscriptions: 20, clusters: 50 } as const;

/**
 * The AKS clusters this identity may read (within its scopes): in `subscription`, or in every
 * subscription it sees; a subscription whose clusters cannot be listed is passed over. By name.
 */
export async function readableClusters(api: ArmApi, subscription: string | undefined, signal: AbortSignal): Promise<{ id: string; name: string }[]> {
  const subscriptions = subscription ? [subscription] : (await api.subscriptions(signal)).slice(0, CLUSTER_SEARCH.subscriptions);
  const lists = await Promise.all(subscriptions.map((s) => api.clustersIn(s, signal).catch(() => [])));
  return lists
    .flat()
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
    .slice(0, CLUSTER_SEARCH.clusters);
}

/** The cluster's resource id: as given, or `resourceGroup/name` in the given subscription. */
export function aksClusterId(cluster: string, subscriptionId: string | undefined): string | undefined {
  if (cluster.startsWith('/')) return cluster;
  const [resourceGroup, name] = cluster.split('/');
  return subscriptionId && resourceGroup && name ? `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${name}` : undefined;
}

const unique = (ids: string[]): string[] => [...new Map(ids.map((id) => [id.toLowerCase(), id])).values()];

const DEFAULT_ROUTE = /^0\.0\.0\.0\/0$/;

export async function readCluster(reading: Reading, registryId: string, facts: { aks?: AksFacts }): Promise<void> {
  const { api, recorder, options, call } = reading;
  if (!options.aksCluster) return;
  const given = options.aksCluster;
  const id = aksClusterId(given, options.subscription ?? parseResourceId(registryId)?.subscriptionId);
  await recorder.run('arm.aks', 'arm.aks', { cluster: given }, async () => {
    if (!id) return { status: 'skip', outcome: 'arm.not-found', data: { cluster: given } };
    let cluster: ClusterModel;
    try {
      cluster = await call(() => api.managedCluster(id, options.budget));
    } catch (err) {
      return armFailure(err, { cluster: given }, api.explain?.(err, 'arm'));
    }
    const unread = new Set<string>();
    /** A part of the cluster's side: undefined, and named unread, when it cannot be read. */
    const part = <T>(name: string, read: () => Promise<T>): Promise<T | undefined> =>
      call(read).catch(() => {
        unread.add(name);
        return undefined;
      });
    const vnetIds = unique([...cluster.nodeSubnetIds, ...cluster.podSubnetIds].map(vnetOfSubnet));
    const [roles, networks, outbound] = await Promise.all([
      cluster.kubeletObjectId ? part('roles', () => api.pullRoles(registryId, cluster.kubeletObjectId!, options.budget)) : undefined,
      vnetIds.length > 0 ? part('network', () => Promise.all(vnetIds.map((v) => api.virtualNetwork(v, options.budget)))) : undefined,
      part('egress', () => Promise.all(cluster.outboundIpIds.map((ip) => api.publicAddress(ip, options.budget)))),
    ]);
    // The subnet's own way out (a route to an appliance, a NAT gateway) comes before the cluster's outbound addresses.
    const routed = await egressOfSubnets(reading, cluster, networks, part, unread);
    const egressIps = unique((routed ? routed.addresses : (outbound ?? [])).filter((a): a is string => Boolean(a)));
    // Without its subnets, a route or a NAT gateway there that would take the traffic first is not known.
    if (!networks && vnetIds.length > 0) unread.add('egress');
    facts.aks = {
      id: cluster.id,
      name: cluster.name,
      ...(cluster.outboundType ? { outboundType: cluster.outboundType } : {}),
      egressIps,
      ...(routed?.via ? { egressVia: routed.via } : {}),
      ...(cluster.kubeletObjectId ? { kubeletObjectId: cluster.kubeletObjectId } : {}),
      ...(cluster.kubeletClientId ? { kubeletClientId: cluster.kubeletClientId } : {}),
      ...(roles ? { kubeletRoles: roles } : {}),
      nodeSubnetIds: cluster.nodeSubnetIds,
      ...(cluster.podSubnetIds.length > 0 ? { podSubnetIds: cluster.podSubnetIds } : {}),
      ...(networks ? { networks: networks.map(({ id, dnsServers, peerings }): AksNetworkFacts => ({ id, dnsServers, peerings })) } : {}),
      windowsPools: cluster.windowsPools,
      privateCluster: cluster.privateCluster,
      ...(unread.size > 0 ? { unread: [...unread].sort() } : {}),
    };
    return { status: 'pass', outcome: 'arm.aks.ok', data: clusterSummary(facts.aks) };
  });
}

/** What the check shows of the cluster's side: one line a person reads. */
function clusterSummary(aks: AksFacts): Record<string, string> {
  const via = aks.egressVia ? ` (${aks.egressVia.firewall ?? aks.egressVia.nextHop ?? aks.egressVia.nextHopType})` : '';
  const dns = aks.networks?.map((n) => (n.dnsServers.length > 0 ? n.dnsServers.join(', ') : 'Azure')).join('; ');
  return {
    cluster: aks.name,
    outboundType: aks.outboundType ?? '-',
    egressIps: `${aks.egressIps.join(', ') || '-'}${via}`,
    pullRoles: aks.kubeletRoles === undefined ? '-' : aks.kubeletRoles.join(', ') || 'none',
    networks: aks.networks?.map((n) => n.id.split('/').pop()).join(', ') || '-',
    dnsServers: dns || '-',
    windowsPools: aks.windowsPools ? 'yes' : 'no',
    unread: aks.unread?.join(', ') || '-',
  };
}

/** Subscriptions searched for the Azure Firewall holding a route's next hop, at most. */
const FIREWALL_SUBSCRIPTIONS = 5;

/**
 * Where the nodes' traffic leaves when their subnet decides it, whatever the outbound type says: a
 * user route for all traffic (0.0.0.0/0) to an appliance or gateway takes it first, then a NAT
 * gateway on the subnet. Undefined when the subnet leaves it to the cluster's own outbound addresses
 * (`replaces` false), or when the networks were not read.
 */
async function egressOfSubnets(
  reading: Reading,
  cluster: ClusterModel,
  networks: VirtualNetworkModel[] | undefined,
  part: <T>(name: string, read: () => Promise<T>) => Promise<T | undefined>,
  unread: Set<string>,
): Promise<{ addresses: string[]; via?: AksFacts['egressVia'] } | undefined> {
  if (!networks) return undefined;
  const { api, options } = reading;
  const subnets = networks.flatMap((n) => n.subnets).filter((s) => cluster.nodeSubnetIds.some((id) => sameId(id, s.id)));
  const table = subnets.find((s) => s.routeTableId)?.routeTableId;
  if (table) {
    const routes = await part('egress', () => api.routes(table, options.budget));
    if (!routes) return { addresses: [] };
    // `Internet` is the system's own way out: the cluster's addresses (or the subnet's NAT gateway) still apply.
    const route = routes.find((r) => DEFAULT_ROUTE.test(r.addressPrefix) && r.nextHopType !== 'Internet');
    if (route) {
      const via = { nextHopType: route.nextHopType, ...(route.nextHopIpAddress ? { nextHop: route.nextHopIpAddress } : {}) };
      if (route.nextHopType !== 'VirtualAppliance' || !route.nextHopIpAddress) return { addresses: [], via };
      return firewallEgress(reading, cluster, networks, via, route.nextHopIpAddress, part, unread);
    }
  }
  const gateway = subnets.find((s) => s.natGatewayId)?.natGatewayId;
  if (gateway) {
    const ipIds = await part('egress', () => api.natGateway(gateway, options.budget));
    const addresses = ipIds ? await part('egress', () => Promise.all(ipIds.map((ip) => api.publicAddress(ip, options.budget)))) : undefined;
    return { addresses: (addresses ?? []).filter((a): a is string => Boolean(a)) };
  }
  return undefined;
}

/**
 * The public addresses of the Azure Firewall that holds `nextHop`: searched in the cluster's
 * subscription, its networks', and those of the peered networks whose address space holds the next
 * hop (at most FIREWALL_SUBSCRIPTIONS). None when it is not an Azure Firewall this identity can read.
 */
async function firewallEgress(
  { api, options, call }: Reading,
  cluster: ClusterModel,
  networks: VirtualNetworkModel[],
  via: NonNullable<AksFacts['egressVia']>,
  nextHop: string,
  part: <T>(name: string, read: () => Promise<T>) => Promise<T | undefined>,
  unread: Set<string>,
): Promise<{ addresses: string[]; via: AksFacts['egressVia'] }> {
  const holders = networks.flatMap((n) => n.peerings.filter((p) => matchesIpRule(nextHop, p.remotePrefixes)).map((p) => p.remoteVnetId));
  const subscriptions = unique([...holders, ...networks.map((n) => n.id), cluster.id].flatMap((id) => parseResourceId(id)?.subscriptionId ?? [])).slice(0, FIREWALL_SUBSCRIPTIONS);
  // A subscription whose firewalls may not be read matters only when the firewall is not found elsewhere.
  const found = await Promise.all(subscriptions.map((s) => call(() => api.firewallsIn(s, options.budget)).catch(() => undefined)));
  const firewall = found.flatMap((list) => list ?? []).find((f) => f.privateIps.includes(nextHop));
  if (!firewall) {
    if (found.includes(undefined)) unread.add('egress');
    return { addresses: [], via };
  }
  const addresses = await part('egress', () => Promise.all(firewall.publicIpIds.map((ip) => api.publicAddress(ip, options.budget))));
  return { addresses: [...firewall.publicIps, ...(addresses ?? []).filter((a): a is string => Boolean(a))], via: { ...via, firewall: firewall.name } };
}
