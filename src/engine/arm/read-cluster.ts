/**
 * The AKS cluster a client runs in, read through ARM: where its nodes leave for the internet (load
 * balancer, NAT gateway, or the firewall a user-defined route leads to), the virtual networks its
 * nodes and pods sit in (DNS servers, peerings), and whether its kubelet identity may pull. Only
 * the cluster itself must be readable; each other part this identity may not read is left out and
 * named in `unread`, so a finding never rests on a guess.
 */
import type { AksFacts, AksNetworkFacts } from '../report/types.js';
import { armFailure } from './arm-error.js';
import { parseResourceId, sameId, vnetOfSubnet } from './resource-id.js';
import type { Reading } from './reading.js';
import type { ArmApi, ClusterModel, VirtualNetworkModel } from './sdk.js';

const AKS_NAME = '[A-Za-z0-9][A-Za-z0-9_-]{0,62}';
const AKS_ID = new RegExp(`^/subscriptions/[0-9a-f-]{36}/resourceGroups/[-\\w.()]{1,90}/providers/Microsoft\\.ContainerService/managedClusters/${AKS_NAME}$`, 'i');
const AKS_SHORT = new RegExp(`^[-\\w.()]{1,90}/${AKS_NAME}$`);
/** An AKS cluster as a user names it: its resource id, or `resourceGroup/name` (in the registry's subscription). */
export const isAksCluster = (value: string): boolean => AKS_ID.test(value) || AKS_SHORT.test(value);
/** A cluster's resource id anywhere in a text. */
export const AKS_ID_IN_TEXT = new RegExp(`/subscriptions/[0-9a-f-]{36}/resourceGroups/[-\\w.()]{1,90}/providers/Microsoft\\.ContainerService/managedClusters/${AKS_NAME}(?![\\w-])`, 'i');

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

export async function readCluster({ api, recorder, options, call }: Reading, registryId: string, facts: { aks?: AksFacts }): Promise<void> {
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
    const routed = await egressOfSubnets({ api, recorder, options, call }, cluster, networks, part, unread);
    const egressIps = unique([...(outbound ?? []), ...(routed?.addresses ?? [])].filter((a): a is string => Boolean(a)));
    if (!networks && cluster.outboundType && cluster.outboundType !== 'loadBalancer' && cluster.outboundType !== 'managedNATGateway') unread.add('egress');
    facts.aks = {
      id: cluster.id,
      name: cluster.name,
      ...(cluster.outboundType ? { outboundType: cluster.outboundType } : {}),
      egressIps,
      ...(routed?.via ? { egressVia: routed.via } : {}),
      ...(cluster.kubeletObjectId ? { kubeletObjectId: cluster.kubeletObjectId } : {}),
      ...(cluster.kubeletClientId ? { kubeletClientId: cluster.kubeletClientId } : {}),
      ...(roles ? { kubeletPullRoles: roles } : {}),
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
    pullRoles: aks.kubeletPullRoles === undefined ? '-' : aks.kubeletPullRoles.join(', ') || 'none',
    networks: aks.networks?.map((n) => n.id.split('/').pop()).join(', ') || '-',
    dnsServers: dns || '-',
    windowsPools: aks.windowsPools ? 'yes' : 'no',
    unread: aks.unread?.join(', ') || '-',
  };
}

/**
 * Where the nodes' traffic leaves when the cluster routes it itself (userDefinedRouting) or through
 * its own NAT gateway (userAssignedNATGateway): read from the node subnets' route table and NAT gateway.
 */
async function egressOfSubnets(
  { api, options, call }: Reading,
  cluster: ClusterModel,
  networks: VirtualNetworkModel[] | undefined,
  part: <T>(name: string, read: () => Promise<T>) => Promise<T | undefined>,
  unread: Set<string>,
): Promise<{ addresses: string[]; via?: AksFacts['egressVia'] } | undefined> {
  if (!networks) return undefined;
  const subnets = networks.flatMap((n) => n.subnets).filter((s) => cluster.nodeSubnetIds.some((id) => sameId(id, s.id)));
  if (cluster.outboundType === 'userAssignedNATGateway') {
    const gateways = unique(subnets.flatMap((s) => s.natGatewayId ?? []));
    const ipIds = await part('egress', async () => (await Promise.all(gateways.map((g) => api.natGateway(g, options.budget)))).flat());
    const addresses = ipIds ? await part('egress', () => Promise.all(ipIds.map((ip) => api.publicAddress(ip, options.budget)))) : undefined;
    return { addresses: (addresses ?? []).filter((a): a is string => Boolean(a)) };
  }
  if (cluster.outboundType !== 'userDefinedRouting') return undefined;
  const table = subnets.find((s) => s.routeTableId)?.routeTableId;
  if (!table) return { addresses: [], via: { nextHopType: 'None' } };
  const routes = await part('egress', () => api.routes(table, options.budget));
  const route = routes?.find((r) => DEFAULT_ROUTE.test(r.addressPrefix));
  if (!route) return routes ? { addresses: [], via: { nextHopType: 'None' } } : undefined;
  const via = { nextHopType: route.nextHopType, ...(route.nextHopIpAddress ? { nextHop: route.nextHopIpAddress } : {}) };
  if (route.nextHopType !== 'VirtualAppliance' || !route.nextHopIpAddress) return { addresses: [], via };
  // An Azure Firewall holding the next hop, in the cluster's subscription or one its networks peer with.
  const subscriptions = unique(
    [cluster.id, ...networks.flatMap((n) => n.peerings.map((p) => p.remoteVnetId))].flatMap((id) => parseResourceId(id)?.subscriptionId ?? []),
  );
  // A subscription whose firewalls may not be read matters only when the firewall is not found elsewhere.
  const found = await Promise.all(subscriptions.map((s) => call(() => api.firewallsIn(s, options.budget)).catch(() => undefined)));
  const firewall = found.flatMap((list) => list ?? []).find((f) => f.privateIps.includes(route.nextHopIpAddress!));
  if (!firewall) {
    if (found.includes(undefined)) unread.add('egress');
    return { addresses: [], via };
  }
  const addresses = await part('egress', () => Promise.all(firewall.publicIpIds.map((ip) => api.publicAddress(ip, options.budget))));
  return { addresses: [...firewall.publicIps, ...(addresses ?? []).filter((a): a is string => Boolean(a))], via: { ...via, firewall: firewall.name } };
}
