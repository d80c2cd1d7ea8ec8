/**
 * Azure Resource Manager for the lab, over HTTPS: the calls @azure/arm-containerregistry, -network,
 * -privatedns, -resources and -resources-subscriptions make, answered with JSON shaped like Azure's
 * published REST API examples (RegistryGet, ReplicationList, PrivateEndpointGet, RecordSetAList,
 * VirtualNetworkLinkList, GetProvider), and Azure support (fake-support.ts). Each registry is a
 * fixture; failures are staged per registry.
 *
 * People are authorised as ARM does it (arm-rbac.ts): a delegated token's `oid` against role
 * assignments (LAB_USER_ROLES by default: alice reads rg-acr and may file support tickets, bob holds
 * nothing), 403 AuthorizationFailed naming the client, action and scope otherwise; lists hold only
 * what they may read. Service principals' tokens read everything, as before.
 */
import https from 'node:https';
import { serve } from './serve.js';
import type http from 'node:http';
import type { KeyPair } from './pki.js';
import { createFakeSupport, type FakeSupport } from './fake-support.js';
import { actionOf, ArmRbac, callerOf, under, type ArmUser, type UserRoleAssignments } from './arm-rbac.js';
import { LAB_USERS } from './lab-tenant.js';
import { json } from './http-answers.js';

export const LAB_SUBSCRIPTION = '0b1f6471-1bf0-4dda-aec3-111122223333';
export const OTHER_SUBSCRIPTION = '5e1f0000-aaaa-4bbb-8ccc-444455556666';
export const LAB_RESOURCE_GROUP = 'rg-acr';
export const ARM_HOST = 'management.lab.example';

const rgScope = `/subscriptions/${LAB_SUBSCRIPTION}/resourceGroups/${LAB_RESOURCE_GROUP}`;
/**
 * Who may read what, by user oid: alice reads rg-acr and the AKS clusters' rg-aks (not their node
 * resource groups) and files support tickets, carol reads rg-acr (but never consented), bob nothing.
 */
export const LAB_USER_ROLES: UserRoleAssignments = {
  [LAB_USERS.alice.oid]: [
    { scope: rgScope, role: 'Reader' },
    { scope: `/subscriptions/${LAB_SUBSCRIPTION}/resourceGroups/rg-aks`, role: 'Reader' },
    { scope: `/subscriptions/${LAB_SUBSCRIPTION}`, role: 'Support Request Contributor' },
  ],
  [LAB_USERS.carol.oid]: [{ scope: rgScope, role: 'Reader' }],
};

export type ArmFailure = { status: 401 | 403 | 404 | 429 | 500; retryAfter?: number; once?: boolean } | 'blackhole';

export interface PrivateEndpointFixture {
  vnetSubscription?: string;
  /** FQDN → private address, as the endpoint's customDnsConfigs list them. */
  dns: Record<string, string>;
  /** The privatelink zone's A records (relative name → address), and whether it is linked to the endpoint's VNet. */
  zone?: { records: Record<string, string>; linked: boolean };
  providerState?: string;
}

export interface ArmRegistryFixture {
  sku?: 'Basic' | 'Standard' | 'Premium';
  location?: string;
  publicNetworkAccess?: 'Enabled' | 'Disabled';
  defaultAction?: 'Allow' | 'Deny';
  ipRules?: string[];
  bypass?: 'AzureServices' | 'None';
  bypassForTasks?: boolean;
  dataEndpoints?: string[];
  replicas?: string[];
  privateEndpoint?: PrivateEndpointFixture;
  failure?: ArmFailure;
  /** Repository permissions (ABAC): repository roles replace AcrPull. */
  roleAssignmentMode?: 'AbacRepositoryPermissions' | 'LegacyRegistryPermissions';
}

const rgPath = (sub: string) => `/subscriptions/${sub}/resourceGroups/${LAB_RESOURCE_GROUP}`;
export const registryId = (name: string): string => `${rgPath(LAB_SUBSCRIPTION)}/providers/Microsoft.ContainerRegistry/registries/${name}`;
const peId = (name: string): string => `${rgPath(LAB_SUBSCRIPTION)}/providers/Microsoft.Network/privateEndpoints/${name}-pe`;
/** Each registry's zone sits in its own resource group, so the fix names exactly which. */
export const zoneResourceGroup = (name: string): string => `rg-dns-${name}`;
const zoneId = (name: string): string => `/subscriptions/${LAB_SUBSCRIPTION}/resourceGroups/${zoneResourceGroup(name)}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io`;
/** A registry's own virtual network, where its private endpoint sits. */
export const registryVnetId = (name: string, subscription = LAB_SUBSCRIPTION): string => `${rgPath(subscription)}/providers/Microsoft.Network/virtualNetworks/${name}-vnet`;
const vnetId = (name: string, fixture: PrivateEndpointFixture): string => registryVnetId(name, fixture.vnetSubscription);

function registryBody(name: string, f: ArmRegistryFixture): object {
  const sku = f.sku ?? 'Premium';
  return {
    id: registryId(name),
    name,
    type: 'Microsoft.ContainerRegistry/registries',
    location: f.location ?? 'westeurope',
    tags: {},
    sku: { name: sku, tier: sku },
    properties: {
      loginServer: `${name}.azurecr.io`,
      creationDate: '2026-01-15T21:38:26.1537861Z',
      provisioningState: 'Succeeded',
      adminUserEnabled: false,
      networkRuleSet: { defaultAction: f.defaultAction ?? 'Allow', ipRules: (f.ipRules ?? []).map((value) => ({ action: 'Allow', value })) },
      policies: { quarantinePolicy: { status: 'disabled' }, trustPolicy: { type: 'Notary', status: 'disabled' }, exportPolicy: { status: 'enabled' } },
      encryption: { status: 'disabled' },
      status: null,
      dataEndpointEnabled: (f.dataEndpoints ?? []).length > 0,
      dataEndpointHostNames: f.dataEndpoints ?? [],
      privateEndpointConnections: f.privateEndpoint
        ? [
            {
              id: `${registryId(name)}/privateEndpointConnections/${name}-pe-conn`,
              name: `${name}-pe-conn`,
              type: 'Microsoft.ContainerRegistry/registries/privateEndpointConnections',
              properties: {
                privateEndpoint: { id: peId(name) },
                privateLinkServiceConnectionState: { status: 'Approved', description: 'Auto-Approved', actionsRequired: 'None' },
                provisioningState: 'Succeeded',
              },
            },
          ]
        : [],
      publicNetworkAccess: f.publicNetworkAccess ?? 'Enabled',
      networkRuleBypassOptions: f.bypass ?? 'AzureServices',
      networkRuleBypassAllowedForTasks: f.bypassForTasks ?? false,
      zoneRedundancy: 'Disabled',
      anonymousPullEnabled: false,
      roleAssignmentMode: f.roleAssignmentMode ?? 'LegacyRegistryPermissions',
    },
  };
}

function privateEndpointBody(name: string, f: PrivateEndpointFixture): object {
  return {
    name: `${name}-pe`,
    id: peId(name),
    type: 'Microsoft.Network/privateEndpoints',
    location: 'westeurope',
    properties: {
      provisioningState: 'Succeeded',
      privateLinkServiceConnections: [
        {
          id: `${peId(name)}/privateLinkServiceConnections/${name}-pe-conn`,
          name: `${name}-pe-conn`,
          properties: {
            privateLinkServiceId: registryId(name),
            groupIds: ['registry'],
            privateLinkServiceConnectionState: { status: 'Approved', description: 'Auto-Approved', actionsRequired: 'None' },
          },
        },
      ],
      manualPrivateLinkServiceConnections: [],
      subnet: { id: `${vnetId(name, f)}/subnets/default` },
      networkInterfaces: [{ id: `${rgPath(LAB_SUBSCRIPTION)}/providers/Microsoft.Network/networkInterfaces/${name}-pe.nic.0001` }],
      customDnsConfigs: Object.entries(f.dns).map(([fqdn, ip]) => ({ fqdn, ipAddresses: [ip] })),
      applicationSecurityGroups: [],
      ipConfigurations: [],
    },
  };
}

function zoneGroupsBody(name: string, f: PrivateEndpointFixture): object {
  if (!f.zone) return { value: [] };
  return {
    value: [
      {
        id: `${peId(name)}/privateDnsZoneGroups/default`,
        name: 'default',
        properties: { provisioningState: 'Succeeded', privateDnsZoneConfigs: [{ name: 'privatelink-azurecr-io', properties: { privateDnsZoneId: zoneId(name), recordSets: [] } }] },
      },
    ],
  };
}

function recordSetsBody(name: string, f: PrivateEndpointFixture): object {
  return {
    value: Object.entries(f.zone?.records ?? {}).map(([record, ip]) => ({
      id: `${zoneId(name)}/A/${record}`,
      etag: '00000000-0000-0000-0000-000000000000',
      name: record,
      type: 'Microsoft.Network/privateDnsZones/A',
      properties: { ttl: 10, fqdn: `${record}.privatelink.azurecr.io.`, isAutoRegistered: false, aRecords: [{ ipv4Address: ip }] },
    })),
  };
}

function linksBody(name: string, f: PrivateEndpointFixture): object {
  const linked = f.zone?.linked ? [vnetId(name, f)] : [`${rgPath(LAB_SUBSCRIPTION)}/providers/Microsoft.Network/virtualNetworks/hub-vnet`];
  return {
    value: linked.map((id, i) => ({
      id: `${zoneId(name)}/virtualNetworkLinks/link${i + 1}`,
      name: `link${i + 1}`,
      type: 'Microsoft.Network/privateDnsZones/virtualNetworkLinks',
      location: 'global',
      etag: '00000000-0000-0000-0000-000000000000',
      properties: { virtualNetwork: { id }, registrationEnabled: false, virtualNetworkLinkState: 'Completed', provisioningState: 'Succeeded' },
    })),
  };
}

const ARM_ERRORS: Record<number, { code: string; message: string }> = {
  401: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' },
  403: { code: 'AuthorizationFailed', message: "The client does not have authorization to perform action 'Microsoft.ContainerRegistry/registries/read'." },
  404: { code: 'ResourceNotFound', message: "The Resource 'Microsoft.ContainerRegistry/registries' was not found." },
  429: { code: 'TooManyRequests', message: 'The request is being throttled.' },
  500: { code: 'InternalServerError', message: 'Encountered internal server error.' },
};

export interface RunningArm {
  requests: { method: string; path: string }[];
  /** Azure support (Microsoft.Support) in this ARM. */
  support: FakeSupport;
  close(): Promise<void>;
}

const network = (rg: string, type: string, name: string): string => `/subscriptions/${LAB_SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.Network/${type}/${name}`;
/** The lab's hub network: custom DNS servers at 10.0.0.4, an Azure Firewall at 10.0.1.4 leaving from 203.0.113.80. */
export const LAB_HUB = {
  vnetId: network('rg-hub', 'virtualNetworks', 'hub-vnet'),
  prefix: '10.0.0.0/16',
  dnsServer: '10.0.0.4',
  firewall: { name: 'hub-fw', privateIp: '10.0.1.4', publicIpName: 'hub-fw-pip', publicIp: '203.0.113.80' },
};

export interface LabPeering {
  vnetId: string;
  state: 'Connected' | 'Initiated' | 'Disconnected';
  prefix: string;
}

/** One of the lab's AKS clusters, in rg-aks: how it leaves, its network, its kubelet's roles at every registry. */
export interface LabCluster {
  outboundType: 'loadBalancer' | 'userDefinedRouting' | 'userAssignedNATGateway';
  /** A NAT gateway on the node subnet (in rg-aks): its public IPs and prefixes, name → address or range. */
  natGateway?: { ips: Record<string, string>; prefixes: Record<string, string> };
  /** Its load balancer's public IPs (name → address), in its node resource group. */
  egress?: Record<string, string>;
  /** With user-defined routing: the default route's next hop. */
  nextHop?: string;
  dnsServers?: string[];
  peerings?: LabPeering[];
  kubeletObjectId: string;
  /** Roles its kubelet identity holds at every registry's scope. */
  kubeletRoles: ('AcrPull' | 'Reader')[];
  windowsPool?: boolean;
}

const kubelet = (n: number): string => `5a1e0000-aaaa-4bbb-8ccc-${String(n).padStart(12, '0')}`;
/**
 * aks-lab leaves from a public address the lab's IP rules do not allow and its kubelet may not pull;
 * aks-udr routes through the hub's firewall; aks-spoke peers with aksunlinked's network, not linked
 * to its zone; aks-hubdns uses the hub's DNS servers, the hub not linked; aks-win has Windows nodes.
 */
export const LAB_CLUSTERS: Record<string, LabCluster> = {
  'aks-lab': { outboundType: 'loadBalancer', egress: { 'kubernetes-egress-1': '203.0.113.50' }, kubeletObjectId: kubelet(0xabcd), kubeletRoles: [] },
  'aks-udr': { outboundType: 'userDefinedRouting', nextHop: LAB_HUB.firewall.privateIp, peerings: [{ vnetId: LAB_HUB.vnetId, state: 'Connected', prefix: LAB_HUB.prefix }], kubeletObjectId: kubelet(2), kubeletRoles: ['AcrPull'] },
  'aks-spoke': { outboundType: 'loadBalancer', egress: { 'kubernetes-egress-1': '203.0.113.60' }, peerings: [{ vnetId: registryVnetId('aksunlinked'), state: 'Connected', prefix: '10.20.0.0/16' }], kubeletObjectId: kubelet(3), kubeletRoles: ['AcrPull'] },
  'aks-hubdns': {
    outboundType: 'loadBalancer',
    egress: { 'kubernetes-egress-1': '203.0.113.61' },
    dnsServers: [LAB_HUB.dnsServer],
    peerings: [{ vnetId: LAB_HUB.vnetId, state: 'Connected', prefix: LAB_HUB.prefix }, { vnetId: registryVnetId('akshubdns'), state: 'Connected', prefix: '10.21.0.0/16' }],
    kubeletObjectId: kubelet(4),
    kubeletRoles: ['AcrPull'],
  },
  'aks-nat': {
    outboundType: 'userAssignedNATGateway',
    natGateway: { ips: { 'aks-nat-ip': '203.0.113.90' }, prefixes: { 'aks-nat-prefix': '203.0.113.96/28' } },
    kubeletObjectId: kubelet(6),
    kubeletRoles: ['AcrPull'],
  },
  'aks-win': { outboundType: 'loadBalancer', egress: { 'kubernetes-egress-1': '203.0.113.62' }, kubeletObjectId: kubelet(5), kubeletRoles: ['AcrPull'], windowsPool: true },
};
/** The cluster most tests name (rg-aks/aks-lab). */
export const LAB_AKS = { id: `/subscriptions/${LAB_SUBSCRIPTION}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-lab`, kubeletObjectId: LAB_CLUSTERS['aks-lab']!.kubeletObjectId };

const clusterId = (name: string): string => `/subscriptions/${LAB_SUBSCRIPTION}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/${name}`;
const nodeGroup = (name: string): string => `/subscriptions/${LAB_SUBSCRIPTION}/resourceGroups/MC_rg-aks_${name}_westeurope`;
export const clusterVnetId = (name: string): string => network('rg-aks', 'virtualNetworks', `${name}-vnet`);
const routeTableId = (name: string): string => network('rg-aks', 'routeTables', `${name}-rt`);
const natGatewayId = (name: string): string => network('rg-aks', 'natGateways', `${name}-gw`);
const ROLE_IDS: Record<LabCluster['kubeletRoles'][number], string> = { AcrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d', Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7' };

/** ManagedClustersGet, as in Azure's published example (the fields the readers use, and some they do not). */
function managedClusterBody(name: string, c: LabCluster): object {
  const pool = (poolName: string, osType: string) => ({ name: poolName, count: 3, vmSize: 'Standard_DS2_v2', osType, mode: osType === 'Linux' ? 'System' : 'User', type: 'VirtualMachineScaleSets', vnetSubnetID: `${clusterVnetId(name)}/subnets/nodes` });
  return {
    id: clusterId(name),
    location: 'westeurope',
    name,
    type: 'Microsoft.ContainerService/ManagedClusters',
    tags: {},
    sku: { name: 'Base', tier: 'Free' },
    identity: { type: 'SystemAssigned', principalId: '00000000-0000-0000-0000-000000000001', tenantId: 'lab' },
    properties: {
      provisioningState: 'Succeeded',
      kubernetesVersion: '1.31.2',
      dnsPrefix: name.replace(/-/g, ''),
      fqdn: `${name.replace(/-/g, '')}-8r8c7p3k.hcp.westeurope.azmk8s.io`,
      agentPoolProfiles: [pool('nodepool1', 'Linux'), ...(c.windowsPool ? [pool('npwin', 'Windows')] : [])],
      nodeResourceGroup: `MC_rg-aks_${name}_westeurope`,
      networkProfile: {
        networkPlugin: 'azure',
        outboundType: c.outboundType,
        loadBalancerSku: 'standard',
        ...(c.egress
          ? { loadBalancerProfile: { managedOutboundIPs: { count: 1 }, effectiveOutboundIPs: Object.keys(c.egress).map((ip) => ({ id: `${nodeGroup(name)}/providers/Microsoft.Network/publicIPAddresses/${ip}` })) } }
          : {}),
      },
      identityProfile: { kubeletidentity: { resourceId: `${nodeGroup(name)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}-agentpool`, clientId: 'ab0c0000-aaaa-4bbb-8ccc-00000000abcd', objectId: c.kubeletObjectId } },
      apiServerAccessProfile: { enablePrivateCluster: false },
    },
  };
}

/** PublicIPAddressGet, as in Azure's published example. */
function publicIpBody(id: string, address: string): object {
  return {
    id,
    name: id.split('/').pop(),
    location: 'westeurope',
    type: 'Microsoft.Network/publicIPAddresses',
    sku: { name: 'Standard', tier: 'Regional' },
    properties: { provisioningState: 'Succeeded', ipAddress: address, publicIPAddressVersion: 'IPv4', publicIPAllocationMethod: 'Static', idleTimeoutInMinutes: 4 },
  };
}

/** VirtualNetworkGet (with its subnets and peerings), as in Azure's published examples. */
function virtualNetworkBody(name: string, c: LabCluster): object {
  const id = clusterVnetId(name);
  return {
    id,
    name: `${name}-vnet`,
    type: 'Microsoft.Network/virtualNetworks',
    location: 'westeurope',
    properties: {
      provisioningState: 'Succeeded',
      addressSpace: { addressPrefixes: ['10.224.0.0/12'] },
      dhcpOptions: { dnsServers: c.dnsServers ?? [] },
      subnets: [
        {
          id: `${id}/subnets/nodes`,
          name: 'nodes',
          properties: {
            provisioningState: 'Succeeded',
            addressPrefix: '10.224.0.0/16',
            ...(c.nextHop ? { routeTable: { id: routeTableId(name) } } : {}),
            ...(c.natGateway ? { natGateway: { id: natGatewayId(name) } } : {}),
            ipConfigurations: [],
          },
        },
      ],
      virtualNetworkPeerings: (c.peerings ?? []).map((p, i) => ({
        id: `${id}/virtualNetworkPeerings/peer${i + 1}`,
        name: `peer${i + 1}`,
        properties: {
          provisioningState: 'Succeeded',
          peeringState: p.state,
          peeringSyncLevel: 'FullyInSync',
          remoteVirtualNetwork: { id: p.vnetId },
          remoteAddressSpace: { addressPrefixes: [p.prefix] },
          allowVirtualNetworkAccess: true,
          allowForwardedTraffic: false,
          allowGatewayTransit: false,
          useRemoteGateways: false,
        },
      })),
      enableDdosProtection: false,
    },
  };
}

/** RouteTableGet, as in Azure's published example: the node subnet's default route to a virtual appliance. */
function routeTableBody(name: string, nextHop: string): object {
  const id = routeTableId(name);
  return {
    id,
    name: `${name}-rt`,
    type: 'Microsoft.Network/routeTables',
    location: 'westeurope',
    properties: {
      provisioningState: 'Succeeded',
      disableBgpRoutePropagation: true,
      routes: [{ id: `${id}/routes/default`, name: 'default', properties: { provisioningState: 'Succeeded', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: nextHop } }],
      subnets: [{ id: `${clusterVnetId(name)}/subnets/nodes` }],
    },
  };
}

/** NatGatewayGet, as in Azure's published example: its public IP addresses and prefixes. */
function natGatewayBody(name: string, nat: NonNullable<LabCluster['natGateway']>): object {
  return {
    id: natGatewayId(name),
    name: `${name}-gw`,
    type: 'Microsoft.Network/natGateways',
    location: 'westeurope',
    sku: { name: 'Standard' },
    properties: {
      provisioningState: 'Succeeded',
      idleTimeoutInMinutes: 5,
      publicIpAddresses: Object.keys(nat.ips).map((ip) => ({ id: network('rg-aks', 'publicIPAddresses', ip) })),
      publicIpPrefixes: Object.keys(nat.prefixes).map((prefix) => ({ id: network('rg-aks', 'publicIPPrefixes', prefix) })),
      subnets: [{ id: `${clusterVnetId(name)}/subnets/nodes` }],
    },
  };
}

/** PublicIPPrefixGet, as in Azure's published example. */
function publicIpPrefixBody(id: string, range: string): object {
  return {
    id,
    name: id.split('/').pop(),
    type: 'Microsoft.Network/publicIPPrefixes',
    location: 'westeurope',
    sku: { name: 'Standard', tier: 'Regional' },
    properties: { provisioningState: 'Succeeded', prefixLength: Number(range.split('/')[1]), publicIPAddressVersion: 'IPv4', ipPrefix: range, publicIPAddresses: [] },
  };
}

/**
 * AzureFirewallListBySubscription, as in Azure's published example: the hub's firewall, on the
 * list's second page (the first is empty, with a nextLink), as ARM pages a long list.
 */
function firewallsBody(path: string, query: URLSearchParams): object {
  if (query.get('$skipToken') !== 'page2') return { value: [], nextLink: `https://${ARM_HOST}${path}?api-version=${query.get('api-version') ?? ''}&$skipToken=page2` };
  const fw = LAB_HUB.firewall;
  const id = network('rg-hub', 'azureFirewalls', fw.name);
  return {
    value: [
      {
        id,
        name: fw.name,
        type: 'Microsoft.Network/azureFirewalls',
        location: 'westeurope',
        properties: {
          provisioningState: 'Succeeded',
          sku: { name: 'AZFW_VNet', tier: 'Standard' },
          threatIntelMode: 'Alert',
          ipConfigurations: [
            {
              id: `${id}/azureFirewallIpConfigurations/azureFirewallIpConfiguration`,
              name: 'azureFirewallIpConfiguration',
              properties: { privateIPAddress: fw.privateIp, subnet: { id: `${LAB_HUB.vnetId}/subnets/AzureFirewallSubnet` }, publicIPAddress: { id: network('rg-hub', 'publicIPAddresses', fw.publicIpName) }, provisioningState: 'Succeeded' },
            },
          ],
        },
      },
    ],
  };
}

/** RoleAssignmentsListForScope with `assignedTo('{principal}')`: the kubelet identity's roles at a registry. */
function roleAssignmentsBody(scope: string, filter: string): object {
  const principal = /assignedTo\('([^']+)'\)/.exec(filter)?.[1];
  const roles = Object.values(LAB_CLUSTERS).find((c) => c.kubeletObjectId === principal)?.kubeletRoles ?? [];
  return {
    value: roles.map((role, i) => ({
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/0000000${i}-0000-4000-8000-${principal!.slice(-12)}`,
      name: `0000000${i}-0000-4000-8000-${principal!.slice(-12)}`,
      type: 'Microsoft.Authorization/roleAssignments',
      properties: { roleDefinitionId: `/subscriptions/${LAB_SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS[role]}`, principalId: principal, principalType: 'ServicePrincipal', scope },
    })),
  };
}

/** The cluster-side resources of ARM: clusters, their public IPs, networks, route tables, the hub's firewall. */
function clusterResource(path: string, query: URLSearchParams, readable: (id: string) => boolean): object | undefined {
  const assignments = /^(.*\/providers\/Microsoft\.ContainerRegistry\/registries\/[^/]+)\/providers\/Microsoft\.Authorization\/roleAssignments$/i.exec(path);
  if (assignments) return roleAssignmentsBody(assignments[1]!, query.get('$filter') ?? '');
  if (/^\/subscriptions\/[^/]+\/providers\/Microsoft\.ContainerService\/managedClusters$/i.test(path)) {
    return { value: Object.keys(LAB_CLUSTERS).filter((name) => readable(clusterId(name))).map((name) => managedClusterBody(name, LAB_CLUSTERS[name]!)) };
  }
  if (/^\/subscriptions\/[^/]+\/providers\/Microsoft\.Network\/azureFirewalls$/i.test(path)) return readable(network('rg-hub', 'azureFirewalls', LAB_HUB.firewall.name)) ? firewallsBody(path, query) : { value: [] };
  const lower = path.toLowerCase();
  for (const [name, c] of Object.entries(LAB_CLUSTERS)) {
    if (lower === clusterId(name).toLowerCase()) return managedClusterBody(name, c);
    if (lower === clusterVnetId(name).toLowerCase()) return virtualNetworkBody(name, c);
    if (c.nextHop && lower === routeTableId(name).toLowerCase()) return routeTableBody(name, c.nextHop);
    if (c.natGateway) {
      if (lower === natGatewayId(name).toLowerCase()) return natGatewayBody(name, c.natGateway);
      for (const [ip, address] of Object.entries(c.natGateway.ips)) if (lower === network('rg-aks', 'publicIPAddresses', ip).toLowerCase()) return publicIpBody(network('rg-aks', 'publicIPAddresses', ip), address);
      for (const [prefix, range] of Object.entries(c.natGateway.prefixes)) if (lower === network('rg-aks', 'publicIPPrefixes', prefix).toLowerCase()) return publicIpPrefixBody(network('rg-aks', 'publicIPPrefixes', prefix), range);
    }
    for (const [ip, address] of Object.entries(c.egress ?? {})) {
      const id = `${nodeGroup(name)}/providers/Microsoft.Network/publicIPAddresses/${ip}`;
      if (lower === id.toLowerCase()) return publicIpBody(id, address);
    }
  }
  const firewallIp = network('rg-hub', 'publicIPAddresses', LAB_HUB.firewall.publicIpName);
  if (lower === firewallIp.toLowerCase()) return publicIpBody(firewallIp, LAB_HUB.firewall.publicIp);
  return undefined;
}

const SUBSCRIPTIONS: Record<string, string> = { [LAB_SUBSCRIPTION]: 'acr-doctor lab', [OTHER_SUBSCRIPTION]: 'acr-doctor lab (network)' };
const subscriptionBody = (id: string): object => ({ id: `/subscriptions/${id}`, authorizationSource: 'RoleBased', subscriptionId: id, tenantId: 'lab', displayName: SUBSCRIPTIONS[id], state: 'Enabled' });
const isCollection = (path: string): boolean => /^\/subscriptions\/[^/]+\/providers\/Microsoft\.(ContainerRegistry\/registries|ContainerService\/managedClusters|Network\/azureFirewalls)$/i.test(path);
const isRegistries = (path: string): boolean => /\/providers\/Microsoft\.ContainerRegistry\/registries$/i.test(path);
/** A subscription's provider registrations: readable by anyone holding a role in that subscription (a lab assumption). */
const isProvider = (path: string): boolean => /^\/subscriptions\/[^/]+\/providers\/[^/]+$/i.test(path);

/** Why ARM refuses `user` this request, or undefined when their roles allow it. Lists are filtered later. */
function refusalFor(rbac: ArmRbac, user: ArmUser, method: string, path: string): { code: string; message: string } | undefined {
  if (path === '/subscriptions' || path.toLowerCase().startsWith('/providers/')) return undefined;
  const action = actionOf(method, path);
  const subscription = /^\/subscriptions\/([^/]+)/i.exec(path)?.[1] ?? '';
  if (isCollection(path) || isProvider(path)) {
    return rbac.subscriptionsOf(user).includes(subscription.toLowerCase()) ? undefined : ArmRbac.forbidden(user, action, `/subscriptions/${subscription}`);
  }
  const scope = method.toUpperCase() === 'POST' ? path.replace(/\/[^/]+$/, '') : path;
  return rbac.allows(user, action, path) ? undefined : ArmRbac.forbidden(user, action, scope);
}

export async function startFakeArm(address: string, pair: KeyPair, fixtures: Record<string, ArmRegistryFixture>, port = 443, roles: UserRoleAssignments = LAB_USER_ROLES): Promise<RunningArm> {
  const requests: RunningArm['requests'] = [];
  const rbac = new ArmRbac(roles);
  const failed = new Set<string>();
  const support = createFakeSupport(ARM_HOST);
  const send = (res: http.ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void => json(res, status, body, { 'x-ms-request-id': crypto.randomUUID(), ...headers });
  const server = https.createServer({ key: pair.key, cert: pair.cert }, (req, res) => {
    // `//subscriptions/…` would read as a host; ARM's paths begin with one slash.
    if ((req.url ?? '/').startsWith('//')) return send(res, 400, { error: { code: 'InvalidRequestUri', message: `The request URI '${req.url ?? ''}' is not valid.` } });
    const url = new URL(req.url ?? '/', `https://${ARM_HOST}`);
    const path = url.pathname.replace(/\/+$/, '');
    requests.push({ method: req.method ?? 'GET', path });
    if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) return send(res, 401, { error: ARM_ERRORS[401] });
    if (!url.searchParams.get('api-version')) return send(res, 400, { error: { code: 'MissingApiVersionParameter', message: 'api-version is required' } });
    const caller = callerOf(req.headers.authorization ?? '', ARM_HOST);
    if (caller.kind === 'refused') return send(res, caller.status, { error: caller.error });
    const user = caller.kind === 'user' ? caller.user : undefined;
    const refused = user && refusalFor(rbac, user, req.method ?? 'GET', path);
    if (refused) return send(res, 403, { error: refused });

    if (support.handle(req, res, path, send)) return;
    if (path === '/subscriptions') {
      const visible = user ? Object.keys(SUBSCRIPTIONS).filter((s) => rbac.subscriptionsOf(user).includes(s)) : [LAB_SUBSCRIPTION];
      return send(res, 200, { value: visible.map(subscriptionBody), count: { type: 'Total', value: visible.length } });
    }
    const provider = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.ContainerRegistry$/i.exec(path);
    if (provider) {
      const state = Object.values(fixtures).find((f) => f.privateEndpoint?.vnetSubscription === provider[1])?.privateEndpoint?.providerState ?? 'Registered';
      return send(res, 200, { id: `/subscriptions/${provider[1]}/providers/Microsoft.ContainerRegistry`, namespace: 'Microsoft.ContainerRegistry', registrationState: state, registrationPolicy: 'RegistrationRequired', resourceTypes: [{ resourceType: 'registries', locations: ['West Europe'], apiVersions: ['2025-11-01'] }] });
    }
    if (isCollection(path) && isRegistries(path)) {
      // A person sees only the registries of this subscription they may read, as ARM filters a list.
      const readable = (name: string): boolean => !user || (under(registryId(name), path.replace(/\/providers\/.*$/i, '')) && rbac.allows(user, 'Microsoft.ContainerRegistry/registries/read', registryId(name)));
      return send(res, 200, { value: Object.entries(fixtures).filter(([n, f]) => (f.failure === undefined || f.failure === 'blackhole' || f.failure.status !== 404) && readable(n)).map(([n, f]) => registryBody(n, f)) });
    }
    const reg = /\/providers\/Microsoft\.ContainerRegistry\/registries\/([^/]+)(\/replications)?$/i.exec(path);
    if (reg) {
      const name = reg[1]!.toLowerCase();
      const fixture = fixtures[name];
      if (!fixture) return send(res, 404, { error: ARM_ERRORS[404] });
      const failure = fixture.failure;
      if (failure === 'blackhole') return; // accepted, never answered
      if (failure && !reg[2] && !(failure.once && failed.has(name))) {
        failed.add(name);
        return send(res, failure.status, { error: ARM_ERRORS[failure.status] }, failure.retryAfter ? { 'retry-after': String(failure.retryAfter) } : {});
      }
      if (reg[2]) {
        const regions = [fixture.location ?? 'westeurope', ...(fixture.replicas ?? [])];
        return send(res, 200, {
          value: regions.map((region) => ({
            id: `${registryId(name)}/replications/${region}`,
            name: region,
            type: 'Microsoft.ContainerRegistry/registries/replications',
            location: region,
            tags: {},
            properties: { provisioningState: 'Succeeded', status: { displayStatus: 'Ready', message: 'The replication is ready.', timestamp: '2026-01-15T23:15:37.0707808Z' }, regionEndpointEnabled: true, zoneRedundancy: 'Disabled' },
          })),
        });
      }
      return send(res, 200, registryBody(name, fixture));
    }
    const pe = /\/providers\/Microsoft\.Network\/privateEndpoints\/([^/]+)-pe(\/privateDnsZoneGroups)?$/i.exec(path);
    const peFixture = pe ? fixtures[pe[1]!.toLowerCase()]?.privateEndpoint : undefined;
    if (pe && peFixture) return send(res, 200, pe[2] ? zoneGroupsBody(pe[1]!, peFixture) : privateEndpointBody(pe[1]!, peFixture));
    const zone = /\/resourceGroups\/rg-dns-([^/]+)\/providers\/Microsoft\.Network\/privateDnsZones\/privatelink\.azurecr\.io\/(A|virtualNetworkLinks)$/i.exec(path);
    const zoneFixture = zone ? fixtures[zone[1]!.toLowerCase()]?.privateEndpoint : undefined;
    if (zone && zoneFixture) return send(res, 200, zone[2] === 'A' ? recordSetsBody(zone[1]!, zoneFixture) : linksBody(zone[1]!, zoneFixture));
    // A person's lists hold what they may read, as ARM filters them.
    const clusterSide = clusterResource(path, url.searchParams, (id) => !user || rbac.allows(user, actionOf('GET', id), id));
    if (clusterSide) return send(res, 200, clusterSide);
    send(res, 404, { error: { code: 'InvalidResourceType', message: `no lab route for ${path}` } });
  });
  return { requests, support, ...(await serve(server, address, port)) };
}
