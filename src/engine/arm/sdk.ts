/**
 * The Azure SDK clients, and readers that turn their models into our plain facts. Each SDK is
 * imported when first needed (the CLI bundles each as its own chunk: a registry without private
 * endpoints never loads the DNS client), and no SDK type leaves this module.
 *
 * Private endpoints are read as plain ARM resources through @azure/arm-resources' pipeline rather
 * than with @azure/arm-network: that package alone costs a CLI run ~28 MB and ~100 ms (measured),
 * for two GETs whose JSON we read the same way.
 */
import type { Registry } from '@azure/arm-containerregistry';
import { createPipelineRequest } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import type { AzureCloud } from '../azure/cloud.js';
import type { EndpointWatch } from '../azure/endpoint-watch.js';
import type { Unreachable } from '../azure/unreachable.js';
import type { AksNetworkFacts, PrivateEndpointFacts, PrivateZoneFacts } from '../report/types.js';
import { lastName, parseResourceId, vnetOfSubnet } from './resource-id.js';

export interface RegistryFacts {
  id: string;
  location?: string;
  loginServer?: string;
  sku?: string;
  publicNetworkAccess?: string;
  defaultAction?: string;
  ipRules: string[];
  bypass?: string;
  bypassForTasks?: boolean;
  dataEndpointEnabled?: boolean;
  dataEndpoints: string[];
  privateEndpointIds: string[];
  /** LegacyRegistryPermissions, or AbacRepositoryPermissions (repository roles replace AcrPull). */
  roleAssignmentMode?: string;
}

export interface ArmApi {
  subscriptions(signal: AbortSignal): Promise<string[]>;
  /** Every registry of a subscription, each with all its properties (ARM's list returns them whole). */
  registriesIn(subscriptionId: string, signal: AbortSignal): Promise<(RegistryFacts & { name: string })[]>;
  registry(id: string, signal: AbortSignal): Promise<RegistryFacts>;
  replicationRegions(registryId: string, signal: AbortSignal): Promise<string[]>;
  privateEndpoint(id: string, signal: AbortSignal): Promise<PrivateEndpointFacts>;
  privateZone(id: string, signal: AbortSignal): Promise<PrivateZoneFacts>;
  providerState(subscriptionId: string, namespace: string, signal: AbortSignal): Promise<string>;
  /** An AKS cluster as ARM shows it: its outbound type and addresses' resources, kubelet identity, node and pod subnets. */
  managedCluster(id: string, signal: AbortSignal): Promise<ClusterModel>;
  /** The AKS clusters of a subscription: their ids and names. */
  clustersIn(subscriptionId: string, signal: AbortSignal): Promise<{ id: string; name: string }[]>;
  /** A public IP address resource's address, or a public IP prefix's range; undefined while none is allocated. */
  publicAddress(id: string, signal: AbortSignal): Promise<string | undefined>;
  /** A NAT gateway's public IP addresses and prefixes (their resource ids). */
  natGateway(id: string, signal: AbortSignal): Promise<string[]>;
  /** A virtual network: its DNS servers, peerings, and the route table of each subnet. */
  virtualNetwork(id: string, signal: AbortSignal): Promise<VirtualNetworkModel>;
  /** A route table's routes. */
  routes(routeTableId: string, signal: AbortSignal): Promise<RouteModel[]>;
  /** The Azure Firewalls of a subscription: their private and public addresses. */
  firewallsIn(subscriptionId: string, signal: AbortSignal): Promise<FirewallModel[]>;
  /** The roles `principalId` holds at `scope` (the registry, or above it): built-in ones by name, others as `role:<id>`. */
  pullRoles(scope: string, principalId: string, signal: AbortSignal): Promise<string[]>;
  /** Why a call failed, when the network is why: the Azure endpoint (Entra, IMDS, ARM, Log Analytics) not reached. */
  explain?(err: unknown, service: 'arm' | 'log-analytics'): Unreachable | undefined;
}

/** What ARM says of an AKS cluster, before its addresses, networks and roles are read. */
export interface ClusterModel {
  id: string;
  name: string;
  outboundType?: string;
  /** The public IP resources (addresses or prefixes) the cluster leaves from: its load balancer's or managed NAT gateway's effective outbound IPs. */
  outboundIpIds: string[];
  kubeletObjectId?: string;
  kubeletClientId?: string;
  nodeSubnetIds: string[];
  podSubnetIds: string[];
  windowsPools: boolean;
  privateCluster: boolean;
}

export interface VirtualNetworkModel extends AksNetworkFacts {
  subnets: { id: string; routeTableId?: string; natGatewayId?: string }[];
}

export interface RouteModel {
  addressPrefix: string;
  nextHopType: string;
  nextHopIpAddress?: string;
}

export interface FirewallModel {
  id: string;
  name: string;
  privateIps: string[];
  /** Public IP resources of its IP configurations. */
  publicIpIds: string[];
  /** Public addresses given directly (a secured virtual hub's firewall). */
  publicIps: string[];
}

function required(id: string): NonNullable<ReturnType<typeof parseResourceId>> {
  const parsed = parseResourceId(id);
  if (!parsed) throw new Error(`not a resource id: ${id}`);
  return parsed;
}

/**
 * Built-in roles by their fixed ids, as role assignments name them: those that let an identity pull
 * in one of the registry's permission modes. Which count depends on the mode (see ROLES_THAT_PULL in
 * the rules); a role not here (a custom role, or one that does not pull) is named by its id.
 */
export const REGISTRY_ROLES: Record<string, string> = {
  '7f951dda-4ed3-4680-a7ca-43fe172d538d': 'AcrPull',
  '8311e382-0749-4cb8-b61a-304f252e45ec': 'AcrPush',
  '577a9874-89fd-4f24-9dbd-b5034d0ad23a': 'Container Registry Data Importer and Data Reader',
  'b93aa761-3e63-49ed-ac28-beffa264f7ac': 'Container Registry Repository Reader',
  '2a1e307c-b015-4ebd-883e-5b7698a07328': 'Container Registry Repository Writer',
  '2efddaa5-3f1f-4df3-97df-af3f13818f4c': 'Container Registry Repository Contributor',
  'acdd72a7-3385-48ef-bd42-f606fba81ae7': 'Reader',
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'Contributor',
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
};

/** SDK clients kept by one set of readers: a few kinds for each subscription a process reads. */
const KEPT_CLIENTS = 256;

/** The network resource provider's API version, as in Azure's published PrivateEndpointGet example. */
const NETWORK_API_VERSION = '2024-05-01';

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(obj) : []);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** Pages of an ARM list followed through nextLink, at most this many (a subscription's firewalls fit in one). */
const LIST_PAGES = 10;

/** PrivateEndpointGet and its privateDnsZoneGroups list, as plain facts. */
export function privateEndpointFacts(id: string, endpointJson: unknown, groupsJson: unknown): PrivateEndpointFacts {
  const properties = obj(obj(endpointJson).properties);
  const connection = [...list(properties.privateLinkServiceConnections), ...list(properties.manualPrivateLinkServiceConnections)][0];
  const status = str(obj(obj(obj(connection).properties).privateLinkServiceConnectionState).status);
  const subnet = str(obj(properties.subnet).id);
  return {
    id: str(obj(endpointJson).id) ?? id,
    name: lastName(id),
    ...(status ? { status } : {}),
    ...(subnet ? { vnetId: vnetOfSubnet(subnet) } : {}),
    dns: list(properties.customDnsConfigs).flatMap((c) => {
      const fqdn = str(c.fqdn);
      return fqdn ? [{ fqdn: fqdn.toLowerCase(), addresses: strings(c.ipAddresses) }] : [];
    }),
    zoneIds: list(obj(groupsJson).value).flatMap((group) =>
      list(obj(group.properties).privateDnsZoneConfigs).flatMap((zone) => {
        const zoneId = str(obj(zone.properties).privateDnsZoneId);
        return zoneId ? [zoneId] : [];
      }),
    ),
  };
}

/** The registry model, as plain facts. */
function registryFacts(id: string, r: Registry): RegistryFacts {
  return {
    id: r.id ?? id,
    ...(r.location ? { location: r.location } : {}),
    ...(r.loginServer ? { loginServer: r.loginServer } : {}),
    ...(r.sku?.name ? { sku: r.sku.name } : {}),
    ...(r.publicNetworkAccess ? { publicNetworkAccess: r.publicNetworkAccess } : {}),
    ...(r.networkRuleSet?.defaultAction ? { defaultAction: r.networkRuleSet.defaultAction } : {}),
    ipRules: (r.networkRuleSet?.ipRules ?? []).map((rule) => rule.iPAddressOrRange),
    ...(r.networkRuleBypassOptions ? { bypass: r.networkRuleBypassOptions } : {}),
    ...(r.networkRuleBypassAllowedForTasks !== undefined ? { bypassForTasks: r.networkRuleBypassAllowedForTasks } : {}),
    ...(r.dataEndpointEnabled !== undefined ? { dataEndpointEnabled: r.dataEndpointEnabled } : {}),
    dataEndpoints: (r.dataEndpointHostNames ?? []).map((h) => h.toLowerCase()),
    privateEndpointIds: (r.privateEndpointConnections ?? []).flatMap((c) => (c.privateEndpoint?.id ? [c.privateEndpoint.id] : [])),
    ...(r.roleAssignmentMode ? { roleAssignmentMode: r.roleAssignmentMode } : {}),
  };
}

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of pages) items.push(item);
  return items;
}

/**
 * The ARM readers over one credential. `transport`: the HTTP client every SDK client gets (a run's
 * watch, or the shared client of AzureClients); `explain` says which Azure endpoint a failure did not
 * reach. SDK clients are made once per subscription and kept.
 */
export function createArmApi(credential: TokenCredential, cloud: AzureCloud, watch?: Pick<EndpointWatch, 'httpClient' | 'explain'>): ArmApi {
  const scopes = [`${cloud.armEndpoint}/.default`];
  // Retries are ours (Retry-After within the budget), so the SDKs never wait past it.
  const transport = watch ? { httpClient: watch.httpClient } : {};
  const kept = new Map<string, Promise<unknown>>();
  /**
   * One client per kind and subscription, made when first asked for; one that could not be made is
   * made again next time. At most KEPT_CLIENTS are kept (the oldest made is dropped first).
   */
  const once = <T>(key: string, make: () => Promise<T>): Promise<T> => {
    let client = kept.get(key) as Promise<T> | undefined;
    if (!client) {
      if (kept.size >= KEPT_CLIENTS) kept.delete(kept.keys().next().value!);
      kept.set(key, (client = make()));
      client.catch(() => kept.get(key) === client && kept.delete(key));
    }
    return client;
  };
  const classic = { endpoint: cloud.armEndpoint, credentialScopes: scopes, retryOptions: { maxRetries: 0 }, ...transport };
  // The newer SDKs (registries, clusters) take their scopes as `credentials`.
  const modern = { endpoint: cloud.armEndpoint, credentials: { scopes }, retryOptions: { maxRetries: 0 }, ...transport };
  // Every diagnosis with ARM reads the registry first: its SDK starts loading now, while the token comes.
  const acrSdk = import('@azure/arm-containerregistry');
  const acr = (subscriptionId: string) =>
    once(`acr|${subscriptionId}`, async () => {
      const { ContainerRegistryManagementClient } = await acrSdk;
      return new ContainerRegistryManagementClient(credential, subscriptionId, modern);
    });
  const resources = (subscriptionId: string) => once(`resources|${subscriptionId}`, async () => new (await import('@azure/arm-resources')).ResourceManagementClient(credential, subscriptionId, classic));
  /** GET of an ARM path through the SDK pipeline (auth, endpoint, proxy), as JSON; an error status throws like the SDKs do. */
  const getJson = async (subscriptionId: string, path: string, signal: AbortSignal): Promise<unknown> => {
    const client = await resources(subscriptionId);
    // A list's nextLink carries its own query (api-version, skip token).
    const url = path.includes('?') ? `${cloud.armEndpoint}${path}` : `${cloud.armEndpoint}${path}?api-version=${NETWORK_API_VERSION}`;
    const response = await client.sendRequest(createPipelineRequest({ url, method: 'GET', abortSignal: signal }));
    if (response.status >= 400) {
      throw Object.assign(new Error(`GET ${path}: ${response.status} ${response.bodyAsText?.slice(0, 300) ?? ''}`), { name: 'RestError', statusCode: response.status, response });
    }
    return JSON.parse(response.bodyAsText ?? '{}') as unknown;
  };
  /** One ARM resource by its id, as JSON, in its own subscription. */
  const armResource = async (id: string, signal: AbortSignal): Promise<Json> => obj(await getJson(required(id).subscriptionId, id, signal));
  /** An ARM list's items, following nextLink within the same ARM endpoint. */
  const getJsonPages = async (subscriptionId: string, path: string, signal: AbortSignal): Promise<Json[]> => {
    const items: Json[] = [];
    let next: string | undefined = path;
    for (let page = 0; next && page < LIST_PAGES; page++) {
      const body = obj(await getJson(subscriptionId, next, signal));
      items.push(...list(body.value));
      const link = str(body.nextLink);
      next = link?.startsWith(`${cloud.armEndpoint}/`) ? link.slice(cloud.armEndpoint.length) : undefined;
    }
    return items;
  };
  const aks = (subscriptionId: string) =>
    once(`aks|${subscriptionId}`, async () => {
      const { ContainerServiceClient } = await import('@azure/arm-containerservice');
      return new ContainerServiceClient(credential, subscriptionId, modern);
    });
  const dns = (subscriptionId: string) =>
    once(`dns|${subscriptionId}`, async () => {
      // A CommonJS package: bundled, its exports may sit under `default`.
      const module = (await import('@azure/arm-privatedns')) as typeof import('@azure/arm-privatedns') & { default?: typeof import('@azure/arm-privatedns') };
      const { PrivateDnsManagementClient } = module.default ?? module;
      return new PrivateDnsManagementClient(credential, subscriptionId, classic);
    });

  return {
    ...(watch ? { explain: (err: unknown, service: 'arm' | 'log-analytics') => watch.explain(err, service) } : {}),
    async subscriptions(signal) {
      const client = await once('subscriptions', async () => new (await import('@azure/arm-resources-subscriptions')).SubscriptionClient(credential, classic));
      const list = await collect(client.subscriptions.list({ abortSignal: signal }));
      return list.flatMap((s) => (s.subscriptionId && s.state !== 'Disabled' ? [s.subscriptionId] : []));
    },
    async registriesIn(subscriptionId, signal) {
      const list = await collect((await acr(subscriptionId)).registries.list({ abortSignal: signal }));
      return list.flatMap((r) => (r.id && r.name ? [{ ...registryFacts(r.id, r), name: r.name }] : []));
    },
    async registry(id, signal) {
      const { subscriptionId, resourceGroup } = required(id);
      return registryFacts(id, await (await acr(subscriptionId)).registries.get(resourceGroup, lastName(id), { abortSignal: signal }));
    },
    async replicationRegions(registryId, signal) {
      const { subscriptionId, resourceGroup } = required(registryId);
      const list = await collect((await acr(subscriptionId)).replications.list(resourceGroup, lastName(registryId), { abortSignal: signal }));
      return list.flatMap((r) => (r.location ? [r.location.toLowerCase().replace(/\s+/g, '')] : []));
    },
    async privateEndpoint(id, signal) {
      const { subscriptionId } = required(id);
      const [endpoint, groups] = await Promise.all([getJson(subscriptionId, id, signal), getJson(subscriptionId, `${id}/privateDnsZoneGroups`, signal)]);
      return privateEndpointFacts(id, endpoint, groups);
    },
    async privateZone(id, signal) {
      const { subscriptionId, resourceGroup } = required(id);
      const zone = lastName(id);
      const client = await dns(subscriptionId);
      const [records, links] = await Promise.all([
        collect(client.recordSets.listByType(resourceGroup, zone, 'A', { abortSignal: signal })),
        collect(client.virtualNetworkLinks.list(resourceGroup, zone, { abortSignal: signal })),
      ]);
      return {
        id,
        name: zone.toLowerCase(),
        records: Object.fromEntries(records.flatMap((r) => (r.name ? [[r.name.toLowerCase(), (r.aRecords ?? []).flatMap((a) => (a.ipv4Address ? [a.ipv4Address] : []))]] : []))),
        vnetLinks: links.flatMap((l) => (l.virtualNetwork?.id ? [l.virtualNetwork.id] : [])),
      };
    },
    async managedCluster(id, signal) {
      const { subscriptionId, resourceGroup } = required(id);
      const cluster = await (await aks(subscriptionId)).managedClusters.get(resourceGroup, lastName(id), { abortSignal: signal });
      const network = cluster.networkProfile;
      const outboundIps = [...(network?.loadBalancerProfile?.effectiveOutboundIPs ?? []), ...(network?.natGatewayProfile?.effectiveOutboundIPs ?? [])];
      const kubelet = cluster.identityProfile?.['kubeletidentity'];
      const pools = cluster.agentPoolProfiles ?? [];
      const subnets = (pick: (p: (typeof pools)[number]) => string | undefined): string[] => [...new Set(pools.flatMap((p) => pick(p) ?? []))];
      return {
        id: cluster.id ?? id,
        name: cluster.name ?? lastName(id),
        ...(network?.outboundType ? { outboundType: network.outboundType } : {}),
        outboundIpIds: outboundIps.flatMap((r) => (r.id ? [r.id] : [])),
        ...(kubelet?.objectId ? { kubeletObjectId: kubelet.objectId } : {}),
        ...(kubelet?.clientId ? { kubeletClientId: kubelet.clientId } : {}),
        nodeSubnetIds: subnets((p) => p.vnetSubnetID),
        podSubnetIds: subnets((p) => p.podSubnetID),
        windowsPools: pools.some((p) => p.osType === 'Windows'),
        privateCluster: cluster.apiServerAccessProfile?.enablePrivateCluster === true,
      };
    },
    async clustersIn(subscriptionId, signal) {
      const list = await collect((await aks(subscriptionId)).managedClusters.list({ abortSignal: signal }));
      return list.flatMap((c) => (c.id && c.name ? [{ id: c.id, name: c.name }] : []));
    },
    async publicAddress(id, signal) {
      const properties = obj((await armResource(id, signal)).properties);
      return str(properties.ipAddress) ?? str(properties.ipPrefix);
    },
    async natGateway(id, signal) {
      const properties = obj((await armResource(id, signal)).properties);
      return [...list(properties.publicIpAddresses), ...list(properties.publicIpPrefixes)].flatMap((r) => str(r.id) ?? []);
    },
    async virtualNetwork(id, signal) {
      const json = await armResource(id, signal);
      const properties = obj(json.properties);
      return {
        id: str(json.id) ?? id,
        dnsServers: strings(obj(properties.dhcpOptions).dnsServers),
        peerings: list(properties.virtualNetworkPeerings).flatMap((p) => {
          const peering = obj(p.properties);
          const remote = str(obj(peering.remoteVirtualNetwork).id);
          return remote ? [{ remoteVnetId: remote, state: str(peering.peeringState) ?? 'Unknown', remotePrefixes: strings(obj(peering.remoteAddressSpace).addressPrefixes) }] : [];
        }),
        subnets: list(properties.subnets).flatMap((subnet) => {
          const subnetId = str(subnet.id);
          const routeTableId = str(obj(obj(subnet.properties).routeTable).id);
          const natGatewayId = str(obj(obj(subnet.properties).natGateway).id);
          return subnetId ? [{ id: subnetId, ...(routeTableId ? { routeTableId } : {}), ...(natGatewayId ? { natGatewayId } : {}) }] : [];
        }),
      };
    },
    async routes(routeTableId, signal) {
      const json = await armResource(routeTableId, signal);
      return list(obj(json.properties).routes).flatMap((route) => {
        const r = obj(route.properties);
        const addressPrefix = str(r.addressPrefix);
        const nextHopType = str(r.nextHopType);
        const nextHopIpAddress = str(r.nextHopIpAddress);
        return addressPrefix && nextHopType ? [{ addressPrefix, nextHopType, ...(nextHopIpAddress ? { nextHopIpAddress } : {}) }] : [];
      });
    },
    async firewallsIn(subscriptionId, signal) {
      const firewalls = await getJsonPages(subscriptionId, `/subscriptions/${subscriptionId}/providers/Microsoft.Network/azureFirewalls`, signal);
      return firewalls.flatMap((firewall) => {
        const id = str(firewall.id);
        const properties = obj(firewall.properties);
        const configurations = list(properties.ipConfigurations).map((c) => obj(c.properties));
        const hub = obj(properties.hubIPAddresses);
        if (!id) return [];
        return [
          {
            id,
            name: str(firewall.name) ?? lastName(id),
            privateIps: [...configurations.flatMap((c) => str(c.privateIPAddress) ?? []), ...(str(hub.privateIPAddress) ? [str(hub.privateIPAddress)!] : [])],
            publicIpIds: configurations.flatMap((c) => str(obj(c.publicIPAddress).id) ?? []),
            publicIps: list(obj(hub.publicIPs).addresses).flatMap((a) => str(a.address) ?? []),
          },
        ];
      });
    },
    async pullRoles(scope, principalId, signal) {
      const { subscriptionId } = required(scope);
      const client = await once(`authorization|${subscriptionId}`, async () => {
        // A CommonJS package: bundled, its exports may sit under `default`.
        const module = (await import('@azure/arm-authorization')) as typeof import('@azure/arm-authorization') & { default?: typeof import('@azure/arm-authorization') };
        const { AuthorizationManagementClient } = module.default ?? module;
        return new AuthorizationManagementClient(credential, subscriptionId, classic);
      });
      // The SDK puts `/` before the scope itself: a resource id's own leading slash would make `//subscriptions/…`.
      const assignments = await collect(client.roleAssignments.listForScope(scope.replace(/^\/+/, ''), { filter: `assignedTo('${principalId}')`, abortSignal: signal }));
      return [
        ...new Set(
          assignments.flatMap((a) => {
            const id = lastName(a.roleDefinitionId ?? '').toLowerCase();
            return id ? [REGISTRY_ROLES[id] ?? `role:${id}`] : [];
          }),
        ),
      ];
    },
    async providerState(subscriptionId, namespace, signal) {
      const provider = await (await resources(subscriptionId)).providers.get(namespace, { abortSignal: signal });
      return provider.registrationState ?? 'Unknown';
    },
  };
}
