/**
 * The Azure SDK clients, and readers that turn their models into our plain facts. Each SDK is
 * imported when first needed (the CLI bundles each as its own chunk: a registry without private
 * endpoints never loads the network clients), and no SDK type leaves this module.
 */
import type { TokenCredential } from '@azure/identity';
import type { AzureCloud } from '../azure/cloud.js';
import type { PrivateEndpointFacts, PrivateZoneFacts } from '../report/types.js';
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
}

export interface ArmApi {
  subscriptions(signal: AbortSignal): Promise<string[]>;
  registriesIn(subscriptionId: string, signal: AbortSignal): Promise<{ id: string; name: string }[]>;
  registry(id: string, signal: AbortSignal): Promise<RegistryFacts>;
  replicationRegions(registryId: string, signal: AbortSignal): Promise<string[]>;
  privateEndpoint(id: string, signal: AbortSignal): Promise<PrivateEndpointFacts>;
  privateZone(id: string, signal: AbortSignal): Promise<PrivateZoneFacts>;
  providerState(subscriptionId: string, namespace: string, signal: AbortSignal): Promise<string>;
}

function required(id: string): NonNullable<ReturnType<typeof parseResourceId>> {
  const parsed = parseResourceId(id);
  if (!parsed) throw new Error(`not a resource id: ${id}`);
  return parsed;
}

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of pages) items.push(item);
  return items;
}

export function createArmApi(credential: TokenCredential, cloud: AzureCloud): ArmApi {
  const scopes = [`${cloud.armEndpoint}/.default`];
  // Retries are ours (Retry-After within the budget), so the SDKs never wait past it.
  const classic = { endpoint: cloud.armEndpoint, credentialScopes: scopes, retryOptions: { maxRetries: 0 } };
  const acr = async (subscriptionId: string) => {
    const { ContainerRegistryManagementClient } = await import('@azure/arm-containerregistry');
    return new ContainerRegistryManagementClient(credential, subscriptionId, { endpoint: cloud.armEndpoint, credentials: { scopes }, retryOptions: { maxRetries: 0 } });
  };
  const network = async (subscriptionId: string) => new (await import('@azure/arm-network')).NetworkManagementClient(credential, subscriptionId, classic);
  const dns = async (subscriptionId: string) => {
    // A CommonJS package: bundled, its exports may sit under `default`.
    const module = (await import('@azure/arm-privatedns')) as typeof import('@azure/arm-privatedns') & { default?: typeof import('@azure/arm-privatedns') };
    const { PrivateDnsManagementClient } = module.default ?? module;
    return new PrivateDnsManagementClient(credential, subscriptionId, classic);
  };

  return {
    async subscriptions(signal) {
      const client = new (await import('@azure/arm-resources-subscriptions')).SubscriptionClient(credential, classic);
      const list = await collect(client.subscriptions.list({ abortSignal: signal }));
      return list.flatMap((s) => (s.subscriptionId && s.state !== 'Disabled' ? [s.subscriptionId] : []));
    },
    async registriesIn(subscriptionId, signal) {
      const list = await collect((await acr(subscriptionId)).registries.list({ abortSignal: signal }));
      return list.flatMap((r) => (r.id && r.name ? [{ id: r.id, name: r.name }] : []));
    },
    async registry(id, signal) {
      const { subscriptionId, resourceGroup } = required(id);
      const r = await (await acr(subscriptionId)).registries.get(resourceGroup, lastName(id), { abortSignal: signal });
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
      };
    },
    async replicationRegions(registryId, signal) {
      const { subscriptionId, resourceGroup } = required(registryId);
      const list = await collect((await acr(subscriptionId)).replications.list(resourceGroup, lastName(registryId), { abortSignal: signal }));
      return list.flatMap((r) => (r.location ? [r.location.toLowerCase().replace(/\s+/g, '')] : []));
    },
    async privateEndpoint(id, signal) {
      const { subscriptionId, resourceGroup } = required(id);
      const name = lastName(id);
      const client = await network(subscriptionId);
      const [endpoint, groups] = await Promise.all([
        client.privateEndpoints.get(resourceGroup, name, { abortSignal: signal }),
        collect(client.privateDnsZoneGroups.list(name, resourceGroup, { abortSignal: signal })),
      ]);
      const status =
        endpoint.privateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status ??
        endpoint.manualPrivateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status;
      return {
        id: endpoint.id ?? id,
        name,
        ...(status ? { status } : {}),
        ...(endpoint.subnet?.id ? { vnetId: vnetOfSubnet(endpoint.subnet.id) } : {}),
        dns: (endpoint.customDnsConfigs ?? []).flatMap((c) => (c.fqdn ? [{ fqdn: c.fqdn.toLowerCase(), addresses: c.ipAddresses ?? [] }] : [])),
        zoneIds: groups.flatMap((g) => (g.privateDnsZoneConfigs ?? []).flatMap((z) => (z.privateDnsZoneId ? [z.privateDnsZoneId] : []))),
      };
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
    async providerState(subscriptionId, namespace, signal) {
      const { ResourceManagementClient } = await import('@azure/arm-resources');
      const provider = await new ResourceManagementClient(credential, subscriptionId, classic).providers.get(namespace, { abortSignal: signal });
      return provider.registrationState ?? 'Unknown';
    },
  };
}
